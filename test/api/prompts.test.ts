/**
 * Saved prompts over real HTTP: versions (an update of the template adds one, a rename does not), undeclared
 * placeholders refused, and runs created from a saved prompt with parameters (rendered at creation; the run
 * records the version it used; bad parameters are a 400 and create nothing).
 */
import type { Problem, PromptItem, RunItem } from '../../src/domain';
import { createTeam, startHarness, type ApiResponse, type Harness, type TeamKeys } from './helpers';

function expectProblem(res: ApiResponse, status: number, code: string): Problem {
  expect(res.status).toBe(status);
  const body = res.body as Problem;
  expect(body.type.endsWith(`/${code}`)).toBe(true);
  return body;
}

describe('saved prompts API', () => {
  let h: Harness;
  let team: TeamKeys;

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'prompts');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('create makes version 1; a new template adds version 2; older versions stay readable', async () => {
    const created = await h.request<PromptItem>('POST', '/api/v1/prompts', {
      key: team.admin,
      body: {
        name: 'fix-file',
        description: 'Fix one file',
        template: 'Fix the failing tests in {{file}}.',
        parameters: [{ name: 'file', description: 'path' }],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'fix-file', latest_version: 1, version: { version: 1 } });
    const id = created.body.id;
    const renamed = await h.request<PromptItem>('PATCH', `/api/v1/prompts/${id}`, {
      key: team.admin,
      body: { description: 'Fix a file' },
    });
    expect(renamed.body.latest_version).toBe(1);
    const v2 = await h.request<PromptItem>('PATCH', `/api/v1/prompts/${id}`, {
      key: team.admin,
      body: {
        template: 'Fix {{file}} in {{style}} style.',
        parameters: [{ name: 'file' }, { name: 'style', default: 'minimal' }],
      },
    });
    expect(v2.body).toMatchObject({
      latest_version: 2,
      version: { version: 2, template: 'Fix {{file}} in {{style}} style.' },
    });
    const v1 = await h.request<PromptItem>('GET', `/api/v1/prompts/${id}?version=1`, { key: team.viewer });
    expect(v1.body.version.template).toBe('Fix the failing tests in {{file}}.');
    expectProblem(
      await h.request('GET', `/api/v1/prompts/${id}?version=9`, { key: team.admin }),
      404,
      'resource_not_found',
    );
    const list = await h.request<{ prompts: PromptItem[] }>('GET', '/api/v1/prompts?name=fix-file', {
      key: team.member,
    });
    expect(list.body.prompts.map((p) => [p.id, p.version.version])).toEqual([[id, 2]]);
  });

  test('a template with an undeclared placeholder is refused, naming it; members may not write team prompts', async () => {
    const bad = expectProblem(
      await h.request('POST', '/api/v1/prompts', {
        key: team.admin,
        body: { name: 'typo', template: 'Fix {{fiel}}', parameters: [{ name: 'file' }] },
      }),
      400,
      'invalid_request',
    );
    expect(bad.detail).toMatch(/template: placeholder \{\{fiel\}\} is not declared/);
    expectProblem(
      await h.request('POST', '/api/v1/prompts', { key: team.member, body: { name: 'm', template: 'x' } }),
      403,
      'not_authorized',
    );
  });

  test('a run from a saved prompt gets the rendered text and records the version; bad params create no run', async () => {
    await h.request('POST', '/api/v1/prompts', {
      key: team.admin,
      body: {
        name: 'triage',
        template: 'Triage issue #{{issue}} with {{care}} care.',
        parameters: [{ name: 'issue' }, { name: 'care', default: 'great' }],
      },
    });
    const run = await h.request<{ run_id: string }>('POST', '/api/v1/agent/runs', {
      key: team.member,
      body: { config: { saved_prompt: { name: 'triage', params: { issue: '42' } } } },
    });
    expect(run.status).toBe(200);
    const item = await h.request<RunItem>('GET', `/api/v1/agent/runs/${run.body.run_id}`, { key: team.member });
    expect(item.body.prompt).toBe('Triage issue #42 with great care.');
    expect(item.body.title).toBe('Triage issue #42 with great care.');
    expect(item.body.agent_config).toMatchObject({
      saved_prompt: { name: 'triage', version: 1, params: { issue: '42' } },
    });
    const before = await h.db.run.count({ where: { teamId: team.teamId } });
    const missing = expectProblem(
      await h.request('POST', '/api/v1/agent/runs', {
        key: team.member,
        body: { config: { saved_prompt: { name: 'triage', params: { isue: '1' } } } },
      }),
      400,
      'invalid_request',
    );
    expect(missing.detail).toBe(
      'config.saved_prompt.params: triage v1: unknown parameter isue (declared: issue, care); missing required parameter issue',
    );
    expectProblem(
      await h.request('POST', '/api/v1/agent/runs', {
        key: team.member,
        body: { config: { saved_prompt: { name: 'nope' } } },
      }),
      404,
      'resource_not_found',
    );
    expect(await h.db.run.count({ where: { teamId: team.teamId } })).toBe(before);
  });
});
