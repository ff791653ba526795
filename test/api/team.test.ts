/** Team settings over real HTTP: read by any member, changed by admins, null clears, fields validated, audited. */
import type { Problem, TeamSettings } from '../../src/domain';
import { createTeam, startHarness, type ApiResponse, type Harness, type TeamKeys } from './helpers';

function expectProblem(res: ApiResponse, status: number, code: string): Problem {
  expect(res.status).toBe(status);
  const body = res.body as Problem;
  expect(body.type.endsWith(`/${code}`)).toBe(true);
  return body;
}

describe('team settings API', () => {
  let h: Harness;
  let team: TeamKeys;

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'settings');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('an admin sets and clears defaults; every member reads them; the change is audited', async () => {
    const env = await h.request<{ id: string }>('POST', '/api/v1/environments', {
      key: team.admin,
      body: { name: 'default-env', docker_image: 'node:22' },
    });
    const set = await h.request<TeamSettings>('PATCH', '/api/v1/team/settings', {
      key: team.admin,
      body: {
        default_model_id: 'openai/gpt-4o',
        base_prompt: 'Be careful.',
        default_environment_id: env.body.id,
        default_worker_host: 'build-1',
        max_turns: 40,
        run_timeout_minutes: 90,
      },
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      team_id: team.teamId,
      default_model_id: 'openai/gpt-4o',
      base_prompt: 'Be careful.',
      default_environment_id: env.body.id,
      default_worker_host: 'build-1',
      max_turns: 40,
      run_timeout_minutes: 90,
    });
    const cleared = await h.request<TeamSettings>('PATCH', '/api/v1/team/settings', {
      key: team.team,
      body: { base_prompt: null, max_turns: null },
    });
    expect(cleared.body).toMatchObject({ base_prompt: null, max_turns: null, default_model_id: 'openai/gpt-4o' });
    expect((await h.request<TeamSettings>('GET', '/api/v1/team/settings', { key: team.viewer })).body).toEqual(
      cleared.body,
    );
    const audit = await h.db.auditEvent.findMany({
      where: { teamId: team.teamId, action: 'team.settings_updated' },
      orderBy: { createdAt: 'asc' },
    });
    expect(audit.map((a) => (a.data as { changed: string[] }).changed)).toEqual([
      [
        'default_model_id',
        'base_prompt',
        'default_environment_id',
        'default_worker_host',
        'max_turns',
        'run_timeout_minutes',
      ],
      ['base_prompt', 'max_turns'],
    ]);
  });

  test('members may not change settings; bad values and unknown environments are refused, naming the field', async () => {
    const denied = expectProblem(
      await h.request('PATCH', '/api/v1/team/settings', { key: team.member, body: { max_turns: 5 } }),
      403,
      'not_authorized',
    );
    expect(denied.detail).toBe('members may not change team settings; use an admin API key (or a team key)');
    const bad = expectProblem(
      await h.request('PATCH', '/api/v1/team/settings', {
        key: team.admin,
        body: { default_model_id: 'gpt4', max_turns: 0, colour: 'blue' },
      }),
      400,
      'invalid_request',
    );
    expect(bad.detail).toMatch(/default_model_id: default_model_id must look like/);
    expect(bad.detail).toMatch(/max_turns/);
    expect(bad.detail).toMatch(/colour/);
    expectProblem(
      await h.request('PATCH', '/api/v1/team/settings', { key: team.admin, body: {} }),
      400,
      'invalid_request',
    );
    const missing = expectProblem(
      await h.request('PATCH', '/api/v1/team/settings', {
        key: team.admin,
        body: { default_environment_id: 'env_nope' },
      }),
      404,
      'resource_not_found',
    );
    expect(missing.detail).toMatch(/^default_environment_id: /);
  });
});
