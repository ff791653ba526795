/**
 * API keys through the REST API over a real database: shown once and stored hashed, expiry choices, last-used time,
 * who may create, list and expire which keys, refusal of expired and revoked keys, and their audit entries.
 */
import { createHash, randomUUID } from 'node:crypto';
import { generateApiKey } from '../../src/db/api-keys';
import type { ApiKeyItem, CreatedApiKey, ListApiKeysResponse } from '../../src/services/api-keys/schemas';
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

const DAY_MS = 86_400_000;

describe('API keys', () => {
  let h: Harness;
  let a: TeamKeys;
  let b: TeamKeys;

  beforeAll(async () => {
    h = await startHarness('postgres');
    a = await createTeam(h.db, 'keys-a');
    b = await createTeam(h.db, 'keys-b');
  });
  afterAll(async () => {
    await h?.close();
  });

  const create = (key: string, body: unknown) => h.request<CreatedApiKey>('POST', '/api/v1/api-keys', { key, body });
  const list = (key: string, query = '') => h.request<ListApiKeysResponse>('GET', `/api/v1/api-keys${query}`, { key });
  const expire = (key: string, id: string) =>
    h.request<ApiKeyItem>('POST', `/api/v1/api-keys/${encodeURIComponent(id)}/expire`, { key });

  describe('create', () => {
    it('shows the key once, stores only its SHA-256, and the key works with its person’s role', async () => {
      const res = await create(a.member, { name: 'laptop', expires_in: '30d' });
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const created = res.body;
      expect(created.key).toMatch(/^ambit_[A-Za-z0-9]{40}$/);
      expect(created.key.startsWith(created.prefix)).toBe(true);
      expect(created.prefix).toHaveLength(12);
      expect(created).toMatchObject({
        name: 'laptop',
        scope: 'personal',
        state: 'active',
        user: { uid: a.users.member },
        last_used_at: null,
        revoked_at: null,
      });
      expect(res.headers.get('location')).toBe(`/api/v1/api-keys/${created.id}`);

      const row = await h.db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
      expect(row.hash).toBe(createHash('sha256').update(created.key).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(created.key);

      // The new key acts as the member: it may start runs but not manage members.
      expect((await h.request('GET', '/api/v1/agent/runs', { key: created.key })).status).toBe(200);
      expectProblem(await h.request('GET', '/api/v1/members', { key: created.key }), 403, 'not_authorized');

      // Never shown again: the listing has no key and no hash.
      const listed = (await list(a.member)).body.api_keys.find((k) => k.id === created.id)!;
      expect(listed).not.toHaveProperty('key');
      expect(JSON.stringify(listed)).not.toContain(created.key.slice(12));
      expect(JSON.stringify(listed)).not.toContain(row.hash);
    });

    it.each([
      ['1d', 1],
      ['30d', 30],
      ['90d', 90],
    ] as const)('expires_in %s sets the expiry %d days ahead', async (expiresIn, days) => {
      const res = await create(a.admin, { name: `exp-${expiresIn}`, expires_in: expiresIn });
      expect(res.status).toBe(201);
      const lifetime = Date.parse(res.body.expires_at!) - Date.parse(res.body.created_at);
      expect(lifetime).toBe(days * DAY_MS);
    });

    it('never expires with expires_in never, and defaults to 90 days', async () => {
      expect((await create(a.admin, { name: 'forever', expires_in: 'never' })).body.expires_at).toBeNull();
      const byDefault = (await create(a.admin, { name: 'default' })).body;
      expect(Date.parse(byDefault.expires_at!) - Date.parse(byDefault.created_at)).toBe(90 * DAY_MS);
    });

    it('a viewer’s own key stays a viewer’s: no role is gained by minting keys', async () => {
      const res = await create(a.viewer, { name: 'viewer laptop' });
      expect(res.status).toBe(201);
      const refused = await h.request('POST', '/api/v1/agent/runs', { key: res.body.key, body: { prompt: 'x' } });
      expectProblem(refused, 403, 'not_authorized');
    });

    it('leaves team keys to admins; a team key belongs to no one and acts as an admin', async () => {
      const denied = expectProblem(await create(a.member, { name: 'ci', scope: 'team' }), 403, 'not_authorized');
      expect(denied.detail).toBe('members may not create team API keys; use an admin API key (or a team key)');
      const res = await create(a.admin, { name: 'ci', scope: 'team', expires_in: 'never' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ scope: 'team', user: null });
      expect((await h.request('GET', '/api/v1/members', { key: res.body.key })).status).toBe(200);
    });

    it('lets admins create a personal key for a member, and no one else', async () => {
      const res = await create(a.admin, { name: 'for member', user_id: a.users.otherMember });
      expect(res.status).toBe(201);
      expect(res.body.user?.uid).toBe(a.users.otherMember);
      expectProblem(await create(a.member, { name: 'x', user_id: a.users.otherMember }), 403, 'not_authorized');
      const stranger = expectProblem(
        await create(a.admin, { name: 'x', user_id: b.users.member }),
        404,
        'resource_not_found',
      );
      expect(stranger.detail).toContain('user_id:');
    });

    it('refuses a personal key for a team key (it has no person), naming the fix', async () => {
      const problem = expectProblem(await create(a.team, { name: 'x' }), 400, 'invalid_request');
      expect(problem.detail).toContain('send scope "team"');
    });

    it('names each invalid field in a 400', async () => {
      const before = await h.db.apiKey.count({ where: { teamId: a.teamId } });
      const cases: [unknown, string][] = [
        [{}, 'name'],
        [{ name: '   ' }, 'name must not be empty'],
        [{ name: 'x', expires_in: '7d' }, 'expires_in must be one of 1d, 30d, 90d, never'],
        [{ name: 'x', scope: 'org' }, "scope must be 'personal' or 'team'"],
        [{ name: 'x', color: 'red' }, 'color'],
      ];
      for (const [body, fragment] of cases) {
        expect(expectProblem(await create(a.admin, body), 400, 'invalid_request').detail).toContain(fragment);
      }
      expect(await h.db.apiKey.count({ where: { teamId: a.teamId } })).toBe(before);
    });
  });

  describe('list', () => {
    it('shows admins every key of the team, others only their own personal keys', async () => {
      const mine = (await create(a.otherMember, { name: 'only mine' })).body;
      const admins = (await list(a.admin)).body.api_keys;
      expect(admins.map((k) => k.id)).toContain(mine.id);
      expect(admins.some((k) => k.scope === 'team')).toBe(true);
      expect(new Set(admins.map((k) => k.user?.uid ?? 'team')).size).toBeGreaterThan(2);

      const own = (await list(a.otherMember)).body.api_keys;
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((k) => k.scope === 'personal' && k.user?.uid === a.users.otherMember)).toBe(true);
      // Another team's keys never appear.
      const foreignIds = (await h.db.apiKey.findMany({ where: { teamId: b.teamId }, select: { id: true } })).map(
        (k) => k.id,
      );
      expect(admins.filter((k) => foreignIds.includes(k.id))).toEqual([]);
    });

    it('records when a key was last used', async () => {
      const created = (await create(a.member, { name: 'used' })).body;
      await h.request('GET', '/api/v1/agent/models', { key: created.key });
      const listed = (await list(a.member)).body.api_keys.find((k) => k.id === created.id)!;
      expect(listed.last_used_at).not.toBeNull();
      expect(Date.parse(listed.last_used_at!)).toBeGreaterThanOrEqual(Date.parse(created.created_at));
    });

    it('filters by state and scope', async () => {
      const gone = (await create(a.admin, { name: 'to expire' })).body;
      await expire(a.admin, gone.id);
      const revoked = (await list(a.admin, '?state=revoked')).body.api_keys;
      expect(revoked.map((k) => k.id)).toContain(gone.id);
      expect(revoked.every((k) => k.state === 'revoked')).toBe(true);
      const active = (await list(a.admin, '?state=active&scope=team')).body.api_keys;
      expect(active.every((k) => k.state === 'active' && k.scope === 'team')).toBe(true);
      expect(active.map((k) => k.id)).not.toContain(gone.id);
      expectProblem(await list(a.admin, '?state=old'), 400, 'invalid_request');
    });
  });

  describe('expire', () => {
    it('stops a key at once (401 afterwards) and keeps it listed as revoked', async () => {
      const created = (await create(a.member, { name: 'short-lived' })).body;
      expect((await h.request('GET', '/api/v1/agent/runs', { key: created.key })).status).toBe(200);
      const res = await expire(a.member, created.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.id, state: 'revoked' });
      expect(res.body.revoked_at).not.toBeNull();
      const refused = await h.request('GET', '/api/v1/agent/runs', { key: created.key });
      expectProblem(refused, 401, 'authentication_required');
      // Again: nothing changes.
      const again = await expire(a.member, created.id);
      expect(again.body.revoked_at).toBe(res.body.revoked_at);
    });

    it('refuses a key whose expiry has passed (401)', async () => {
      const k = generateApiKey();
      await h.db.apiKey.create({
        data: {
          id: `key_${randomUUID()}`,
          name: 'old',
          prefix: k.prefix,
          hash: k.hash,
          teamId: a.teamId,
          userId: a.users.member,
          scope: 'personal',
          expiresAt: new Date(Date.now() - 1000),
        },
      });
      const res = await h.request('GET', '/api/v1/agent/runs', { key: k.key });
      expect(expectProblem(res, 401, 'authentication_required').detail).toBe(
        'the API key is unknown, revoked or expired',
      );
    });

    it('lets members expire only their own keys: others’ and team keys are invisible (404)', async () => {
      const theirs = (await create(a.otherMember, { name: 'theirs' })).body;
      const team = (await create(a.admin, { name: 'team', scope: 'team' })).body;
      expectProblem(await expire(a.member, theirs.id), 404, 'resource_not_found');
      expectProblem(await expire(a.member, team.id), 404, 'resource_not_found');
      expectProblem(await expire(b.admin, theirs.id), 404, 'resource_not_found');
      expect((await expire(a.admin, theirs.id)).body.state).toBe('revoked');
      expect((await expire(a.team, team.id)).body.state).toBe('revoked');
    });
  });

  it('records key creation and expiry in the audit log, with who did it and never the key', async () => {
    const created = (await create(a.member, { name: 'audited', expires_in: '1d' })).body;
    await expire(a.admin, created.id);
    const events = await h.db.auditEvent.findMany({
      where: { teamId: a.teamId, targetType: 'api_key', targetId: created.id },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => [e.action, e.actorUserId])).toEqual([
      ['api_key.created', a.users.member],
      ['api_key.expired', a.users.admin],
    ]);
    expect(events[0]!.data).toEqual({
      name: 'audited',
      prefix: created.prefix,
      scope: 'personal',
      user_id: a.users.member,
      expires_in: '1d',
    });
    expect(JSON.stringify(events.map((e) => ({ ...e, id: e.id.toString() })))).not.toContain(created.key);
  });
});
