/** Variable sets over real HTTP: CRUD with variable-name validation, and attaching sets to environments in order. */
import type { EnvironmentVarSets, Problem, VarSetItem } from '../../src/domain';
import { createTeam, startHarness, type ApiResponse, type Harness, type TeamKeys } from './helpers';

function expectProblem(res: ApiResponse, status: number, code: string): Problem {
  expect(res.status).toBe(status);
  const body = res.body as Problem;
  expect(body.type.endsWith(`/${code}`)).toBe(true);
  return body;
}

describe('variable sets API', () => {
  let h: Harness;
  let team: TeamKeys;

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'vars');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('CRUD, with variable names checked', async () => {
    const created = await h.request<VarSetItem>('POST', '/api/v1/vars', {
      key: team.admin,
      body: { name: 'ci', vars: { CI: '1', NODE_ENV: 'test' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.vars).toEqual({ CI: '1', NODE_ENV: 'test' });
    const bad = expectProblem(
      await h.request('POST', '/api/v1/vars', { key: team.admin, body: { name: 'bad', vars: { '1X': 'a' } } }),
      400,
      'invalid_request',
    );
    expect(bad.detail).toMatch(/env names must match/);
    const updated = await h.request<VarSetItem>('PATCH', `/api/v1/vars/${created.body.id}`, {
      key: team.admin,
      body: { vars: { CI: 'true' } },
    });
    expect(updated.body.vars).toEqual({ CI: 'true' });
    expectProblem(
      await h.request('PATCH', `/api/v1/vars/${created.body.id}`, { key: team.member, body: { vars: {} } }),
      403,
      'not_authorized',
    );
    expect((await h.request('DELETE', `/api/v1/vars/${created.body.id}`, { key: team.admin })).status).toBe(200);
  });

  test('sets attach to an environment by id or name, in order; personal sets do not attach to team environments', async () => {
    const env = await h.request<{ id: string }>('POST', '/api/v1/environments', {
      key: team.admin,
      body: { name: 'api', docker_image: 'node:22' },
    });
    const a = await h.request<VarSetItem>('POST', '/api/v1/vars', {
      key: team.admin,
      body: { name: 'a', vars: { A: '1' } },
    });
    const b = await h.request<VarSetItem>('POST', '/api/v1/vars', {
      key: team.admin,
      body: { name: 'b', vars: { B: '1' } },
    });
    const mine = await h.request<VarSetItem>('POST', '/api/v1/vars', {
      key: team.member,
      body: { name: 'mine', vars: { M: '1' }, scope: 'User' },
    });
    expect(mine.status).toBe(201);
    const set = await h.request<EnvironmentVarSets>('PUT', `/api/v1/environments/${env.body.id}/var-sets`, {
      key: team.admin,
      body: { var_set_ids: ['b', a.body.id] },
    });
    expect(set.status).toBe(200);
    expect(set.body.var_sets).toEqual([
      { id: b.body.id, name: 'b' },
      { id: a.body.id, name: 'a' },
    ]);
    expect((await h.db.environment.findUniqueOrThrow({ where: { id: env.body.id } })).varSetIds).toEqual([
      b.body.id,
      a.body.id,
    ]);
    const personal = expectProblem(
      await h.request('PUT', `/api/v1/environments/${env.body.id}/var-sets`, {
        key: team.admin,
        body: { var_set_ids: [mine.body.id] },
      }),
      400,
      'invalid_request',
    );
    expect(personal.detail).toMatch(/team environment takes team variable sets only/);
    expectProblem(
      await h.request('PUT', `/api/v1/environments/${env.body.id}/var-sets`, {
        key: team.member,
        body: { var_set_ids: [] },
      }),
      403,
      'not_authorized',
    );
    const read = await h.request<EnvironmentVarSets>('GET', `/api/v1/environments/${env.body.id}/var-sets`, {
      key: team.viewer,
    });
    expect(read.body.var_sets.map((s) => s.name)).toEqual(['b', 'a']);
  });
});
