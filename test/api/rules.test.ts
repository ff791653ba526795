/**
 * Rules over real HTTP on a real database: CRUD, validation naming the field, names unique per scope (409), team
 * rules changed only by admins, personal rules visible to their owner and admins only, 404 across teams, audit.
 */
import type { Problem, RuleItem } from '../../src/domain';
import { createTeam, startHarness, type ApiResponse, type Harness, type TeamKeys } from './helpers';

function expectProblem(res: ApiResponse, status: number, code: string): Problem {
  expect(res.status).toBe(status);
  const body = res.body as Problem;
  expect(body.type.endsWith(`/${code}`)).toBe(true);
  return body;
}

describe('rules API', () => {
  let h: Harness;
  let team: TeamKeys;
  let other: TeamKeys;

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'rules');
    other = await createTeam(h.db, 'rules-other');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('an admin creates, lists, reads, changes and deletes a team rule, and each change is audited', async () => {
    const created = await h.request<RuleItem>('POST', '/api/v1/rules', {
      key: team.admin,
      body: { name: 'no-force-push', content: 'Never force-push to main.' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/rules/${created.body.id}`);
    expect(created.body).toMatchObject({
      name: 'no-force-push',
      content: 'Never force-push to main.',
      environment_id: null,
      enabled: true,
      scope: { type: 'Team', uid: team.teamId },
    });
    const id = created.body.id;
    const list = await h.request<{ rules: RuleItem[] }>('GET', '/api/v1/rules', { key: team.viewer });
    expect(list.body.rules.map((r) => r.id)).toEqual([id]);
    const patched = await h.request<RuleItem>('PATCH', `/api/v1/rules/${id}`, {
      key: team.admin,
      body: { content: 'Never force-push.', enabled: false },
    });
    expect(patched.body).toMatchObject({ content: 'Never force-push.', enabled: false });
    expect((await h.request<RuleItem>('GET', `/api/v1/rules/${id}`, { key: team.member })).body.enabled).toBe(false);
    expect((await h.request('DELETE', `/api/v1/rules/${id}`, { key: team.admin })).body).toEqual({ success: true });
    expectProblem(await h.request('GET', `/api/v1/rules/${id}`, { key: team.admin }), 404, 'resource_not_found');
    const audit = await h.db.auditEvent.findMany({ where: { teamId: team.teamId, targetId: id } });
    expect(audit.map((a) => a.action).sort()).toEqual(['rule.created', 'rule.deleted', 'rule.updated']);
  });

  test('members and viewers may not write team rules; a member manages a personal rule that only they and admins see', async () => {
    const denied = expectProblem(
      await h.request('POST', '/api/v1/rules', { key: team.member, body: { name: 'x', content: 'y' } }),
      403,
      'not_authorized',
    );
    expect(denied.detail).toMatch(/members may not create team rules; use an admin/);
    expectProblem(
      await h.request('POST', '/api/v1/rules', { key: team.viewer, body: { name: 'x', content: 'y', scope: 'User' } }),
      403,
      'not_authorized',
    );
    const mine = await h.request<RuleItem>('POST', '/api/v1/rules', {
      key: team.member,
      body: { name: 'my-style', content: 'Prefer small commits.', scope: 'User' },
    });
    expect(mine.status).toBe(201);
    expect(mine.body.scope).toEqual({ type: 'User', uid: team.users.member });
    expect((await h.request('GET', `/api/v1/rules/${mine.body.id}`, { key: team.admin })).status).toBe(200);
    expectProblem(
      await h.request('GET', `/api/v1/rules/${mine.body.id}`, { key: team.otherMember }),
      404,
      'resource_not_found',
    );
    expect(
      (await h.request('PATCH', `/api/v1/rules/${mine.body.id}`, { key: team.member, body: { content: 'Tiny.' } }))
        .status,
    ).toBe(200);
  });

  test('bad input is a 400 naming the field; a taken name is a 409; another team sees 404', async () => {
    const bad = expectProblem(
      await h.request('POST', '/api/v1/rules', { key: team.admin, body: { name: 'has space', content: '' } }),
      400,
      'invalid_request',
    );
    expect(bad.detail).toMatch(/name: name uses letters/);
    expect(bad.detail).toMatch(/content: content must not be empty/);
    const envMissing = expectProblem(
      await h.request('POST', '/api/v1/rules', {
        key: team.admin,
        body: { name: 'env-rule', content: 'c', environment_id: 'env_missing' },
      }),
      404,
      'resource_not_found',
    );
    expect(envMissing.detail).toMatch(/^environment_id: /);
    const first = await h.request<RuleItem>('POST', '/api/v1/rules', {
      key: team.admin,
      body: { name: 'dup', content: 'one' },
    });
    const dup = expectProblem(
      await h.request('POST', '/api/v1/rules', { key: team.admin, body: { name: 'dup', content: 'two' } }),
      409,
      'conflict',
    );
    expect(dup.detail).toContain(first.body.id);
    expect(dup.retryable).toBe(false);
    expectProblem(
      await h.request('GET', `/api/v1/rules/${first.body.id}`, { key: other.admin }),
      404,
      'resource_not_found',
    );
    expectProblem(
      await h.request('DELETE', `/api/v1/rules/${first.body.id}`, { key: other.admin }),
      404,
      'resource_not_found',
    );
    expect((await h.request<{ rules: RuleItem[] }>('GET', '/api/v1/rules', { key: other.admin })).body.rules).toEqual(
      [],
    );
  });
});
