/**
 * Team membership through the REST API over a real database: admins list, add (creating users by email), change
 * roles and remove; the last admin stays; a removed member's keys stop working; every change is audited.
 */
import type { CreatedApiKey } from '../../src/services/api-keys/schemas';
import type { ListMembersResponse, MemberItem } from '../../src/services/members/schemas';
import { createTeam, startHarness, type ApiResponse, type Harness, type TeamKeys } from './helpers';

interface Problem {
  type: string;
  status: number;
  detail: string;
}

/** The problem's status and code (the last segment of its `type`), with the body in the message when they differ. */
function expectProblem(res: ApiResponse, status: number, code: string): Problem {
  const body = res.body as Problem;
  expect({ status: res.status, code: body?.type?.split('/').pop(), body }).toMatchObject({ status, code });
  return body;
}

describe('members', () => {
  let h: Harness;
  let a: TeamKeys;
  let b: TeamKeys;
  let seq = 0;

  beforeAll(async () => {
    h = await startHarness('postgres');
    a = await createTeam(h.db, 'members-a');
    b = await createTeam(h.db, 'members-b');
  });
  afterAll(async () => {
    await h?.close();
  });

  const email = () => `person-${++seq}-${a.teamId}@example.com`;
  const add = (key: string, body: unknown) => h.request<MemberItem>('POST', '/api/v1/members', { key, body });
  const patch = (key: string, userId: string, body: unknown) =>
    h.request<MemberItem>('PATCH', `/api/v1/members/${encodeURIComponent(userId)}`, { key, body });
  const remove = (key: string, userId: string) =>
    h.request('DELETE', `/api/v1/members/${encodeURIComponent(userId)}`, { key });
  const keyFor = async (userId: string): Promise<string> => {
    const res = await h.request<CreatedApiKey>('POST', '/api/v1/api-keys', {
      key: a.admin,
      body: { name: 'for a new member', user_id: userId },
    });
    expect(res.status).toBe(201);
    return res.body.key;
  };

  it('lists the team’s members with their roles, for admins only', async () => {
    const res = await h.request<ListMembersResponse>('GET', '/api/v1/members', { key: a.admin });
    expect(res.status).toBe(200);
    expect(Object.fromEntries(res.body.members.map((m) => [m.user.uid, m.role]))).toEqual({
      [a.users.admin]: 'admin',
      [a.users.member]: 'member',
      [a.users.otherMember]: 'member',
      [a.users.viewer]: 'viewer',
    });
    const refused = await h.request('GET', '/api/v1/members', { key: a.member });
    expect(expectProblem(refused, 403, 'not_authorized').detail).toBe(
      'members may not list members; use an admin API key (or a team key)',
    );
  });

  it('adds a new person by email (creating the user), who can then work with a key an admin made', async () => {
    const address = email();
    const res = await add(a.admin, { email: address.toUpperCase(), display_name: 'Ada', role: 'member' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user: { email: address, display_name: 'Ada' }, role: 'member' });
    expect(res.headers.get('location')).toBe(`/api/v1/members/${res.body.user.uid}`);

    const key = await keyFor(res.body.user.uid);
    expect((await h.request('POST', '/api/v1/agent/runs', { key, body: { prompt: 'hello' } })).status).toBe(200);
    const runs = await h.db.run.findMany({ where: { creatorUserId: res.body.user.uid } });
    for (const r of runs) h.track(r.id);
    expect(runs).toHaveLength(1);
  });

  it('adds an existing user (by id or by email) to a second team without a second user', async () => {
    const address = email();
    const first = await add(b.admin, { email: address });
    expect(first.body.user.display_name).toBe(address);
    const byEmail = await add(a.admin, { email: address, role: 'viewer' });
    expect(byEmail.status).toBe(201);
    expect(byEmail.body.user.uid).toBe(first.body.user.uid);
    expect(await h.db.user.count({ where: { email: address } })).toBe(1);
    const byId = await add(a.admin, { user_id: b.users.viewer });
    expect(byId.body).toMatchObject({ user: { uid: b.users.viewer }, role: 'member' });
  });

  it('refuses a second membership (409) and names bad input (400) without creating anything', async () => {
    const again = await add(a.admin, { user_id: a.users.member });
    expect(expectProblem(again, 409, 'conflict').detail).toContain('already a member of this team (role member)');
    const users = await h.db.user.count();
    for (const [body, fragment] of [
      [{}, 'give exactly one of user_id'],
      [{ email: 'x@example.com', user_id: 'u' }, 'give exactly one of user_id'],
      [{ email: 'not-an-email' }, 'email must be an email address'],
      [{ email: email(), role: 'owner' }, 'role must be one of admin, member, viewer'],
    ] as const) {
      expect(expectProblem(await add(a.admin, body), 400, 'invalid_request').detail).toContain(fragment);
    }
    expectProblem(await add(a.admin, { user_id: 'no-such-user' }), 404, 'resource_not_found');
    expect(await h.db.user.count()).toBe(users);
  });

  it('changes roles, and the key follows the new role at once', async () => {
    const person = (await add(a.admin, { email: email(), role: 'member' })).body;
    const key = await keyFor(person.user.uid);
    const res = await patch(a.admin, person.user.uid, { role: 'viewer' });
    expect(res.body.role).toBe('viewer');
    expectProblem(await h.request('POST', '/api/v1/agent/runs', { key, body: { prompt: 'x' } }), 403, 'not_authorized');
    expectProblem(await patch(a.admin, person.user.uid, { role: 'boss' }), 400, 'invalid_request');
  });

  it('never leaves a team without an admin: the last one cannot be demoted or removed', async () => {
    const team = await createTeam(h.db, 'last-admin');
    const demote = await patch(team.admin, team.users.admin, { role: 'member' });
    expect(expectProblem(demote, 409, 'conflict').detail).toContain("is the team's last admin and cannot be demoted");
    expect(expectProblem(await remove(team.team, team.users.admin), 409, 'conflict').detail).toContain(
      'cannot be removed',
    );
    // With a second admin, the first may step down.
    expect((await patch(team.admin, team.users.member, { role: 'admin' })).status).toBe(200);
    expect((await patch(team.admin, team.users.admin, { role: 'member' })).body.role).toBe('member');
  });

  it('removes a member: their keys for the team stop working (401), their runs stay', async () => {
    const person = (await add(a.admin, { email: email() })).body;
    const key = await keyFor(person.user.uid);
    expect((await h.request('GET', '/api/v1/agent/runs', { key })).status).toBe(200);
    expect((await remove(a.admin, person.user.uid)).body).toEqual({ success: true });
    expectProblem(await h.request('GET', '/api/v1/agent/runs', { key }), 401, 'authentication_required');
    expectProblem(await remove(a.admin, person.user.uid), 404, 'resource_not_found');
    expect(await h.db.user.count({ where: { id: person.user.uid } })).toBe(1);
  });

  it('answers 404 for another team’s member to every role, 403 to non-admins for its own', async () => {
    for (const key of [a.admin, a.member, a.viewer, a.team]) {
      expectProblem(await patch(key, b.users.member, { role: 'viewer' }), 404, 'resource_not_found');
      expectProblem(await remove(key, b.users.member), 404, 'resource_not_found');
    }
    expectProblem(await patch(a.member, a.users.viewer, { role: 'admin' }), 403, 'not_authorized');
    expectProblem(await remove(a.viewer, a.users.member), 403, 'not_authorized');
    expectProblem(await add(a.member, { email: email() }), 403, 'not_authorized');
  });

  it('audits every membership change with who made it', async () => {
    const person = (await add(a.admin, { email: email(), role: 'viewer' })).body;
    await patch(a.team, person.user.uid, { role: 'member' });
    await remove(a.admin, person.user.uid);
    const events = await h.db.auditEvent.findMany({
      where: { teamId: a.teamId, targetType: 'membership', targetId: person.user.uid },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => ({ action: e.action, actor: e.actorUserId ?? e.actorType, data: e.data }))).toEqual([
      { action: 'membership.added', actor: a.users.admin, data: { role: 'viewer', user_created: true } },
      { action: 'membership.role_changed', actor: 'service_account', data: { from: 'viewer', to: 'member' } },
      { action: 'membership.removed', actor: a.users.admin, data: { role: 'member' } },
    ]);
    // A refused change leaves no trace.
    const count = await h.db.auditEvent.count({ where: { teamId: a.teamId, targetType: 'membership' } });
    await patch(a.admin, a.users.admin, { role: 'admin' });
    await add(a.admin, { user_id: a.users.member });
    expect(await h.db.auditEvent.count({ where: { teamId: a.teamId, targetType: 'membership' } })).toBe(count);
  });
});
