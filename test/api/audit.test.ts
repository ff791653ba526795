/**
 * The audit log over a real database and Temporal server: the database itself refuses to change or delete entries
 * (but a deleted team takes its log along), what run and environment operations record, the team log's filters and
 * keyset pages for admins, and a run's own trail for whoever may see the run.
 */
import type { ListAuditResponse } from '../../src/services/audit/schemas';
import { DB_KINDS } from '../helpers/database';
import { createTeam, insertRun, startHarness, type ApiResponse, type Harness, type TeamKeys } from './helpers';

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

describe.each(DB_KINDS)('audit_events on %s', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is append-only: the database refuses UPDATE and DELETE, even through raw SQL', async () => {
    const team = await createTeam(h.db, 'append-only');
    await h.db.auditEvent.create({
      data: { teamId: team.teamId, actorType: 'system', action: 'test.done', targetType: 'test', targetId: 't1' },
    });
    await expect(
      h.db.$executeRaw`UPDATE audit_events SET action = 'test.forged' WHERE team_id = ${team.teamId}`,
    ).rejects.toThrow(/audit_events is append-only \(UPDATE refused\)/);
    await expect(h.db.$executeRaw`DELETE FROM audit_events WHERE team_id = ${team.teamId}`).rejects.toThrow(
      /audit_events is append-only \(DELETE refused\)/,
    );
    await expect(h.db.auditEvent.deleteMany({ where: { teamId: team.teamId } })).rejects.toThrow(/append-only/);
    const rows = await h.db.auditEvent.findMany({ where: { teamId: team.teamId } });
    expect(rows.map((r) => r.action)).toEqual(['test.done']);
  });

  it('goes with its team: deleting a team cascades to its audit entries', async () => {
    const team = await createTeam(h.db, 'cascade');
    await h.db.auditEvent.createMany({
      data: [1, 2, 3].map((i) => ({
        teamId: team.teamId,
        actorType: 'system',
        action: 'test.done',
        targetType: 'test',
        targetId: `t${i}`,
      })),
    });
    await h.db.team.delete({ where: { id: team.teamId } });
    expect(await h.db.auditEvent.count({ where: { teamId: team.teamId } })).toBe(0);
  });
});

describe('audit log API', () => {
  let h: Harness;
  let a: TeamKeys;
  let b: TeamKeys;

  beforeAll(async () => {
    h = await startHarness('postgres');
    a = await createTeam(h.db, 'audit-a');
    b = await createTeam(h.db, 'audit-b');
  });
  afterAll(async () => {
    await h?.close();
  });

  const audit = (key: string, query = '') => h.request<ListAuditResponse>('GET', `/api/v1/audit${query}`, { key });
  const trail = (key: string, runId: string, query = '') =>
    h.request<ListAuditResponse>('GET', `/api/v1/agent/runs/${runId}/audit${query}`, { key });

  it('records a run’s creation, cancellation and follow-up, and shows them as the run’s own trail', async () => {
    const created = await h.request<{ run_id: string }>('POST', '/api/v1/agent/runs', {
      key: a.member,
      body: { prompt: 'audit me' },
    });
    expect(created.status).toBe(200);
    const runId = created.body.run_id;
    expect((await h.request('POST', `/api/v1/agent/runs/${runId}/cancel`, { key: a.admin })).status).toBe(200);

    // A follow-up to an ended run starts its next execution.
    const ended = await insertRun(h.db, a.teamId, { state: 'SUCCEEDED', endedAt: new Date() });
    h.track(ended);
    const followup = await h.request('POST', `/api/v1/agent/runs/${ended}/followups`, {
      key: a.member,
      body: { message: 'one more thing' },
    });
    expect(followup.status).toBe(200);

    const res = await trail(a.viewer, runId);
    expect(res.status).toBe(200);
    expect(res.body.events.map((e) => [e.action, e.actor.user_id, e.target])).toEqual([
      ['run.created', a.users.member, { type: 'run', id: runId }],
      ['run.cancelled', a.users.admin, { type: 'run', id: runId }],
    ]);
    expect(res.body.events[0]).toMatchObject({ run_id: runId, actor: { type: 'user' }, data: { scope: 'Team' } });
    expect(res.body.events[1]!.data).toEqual({ state: 'QUEUED' });
    const steered = (await trail(a.member, ended)).body.events;
    expect(steered.map((e) => [e.action, e.actor.user_id, e.data['delivery']])).toEqual([
      ['run.steered', a.users.member, 'restarted'],
    ]);
  });

  it('writes nothing when the change is refused', async () => {
    const before = await h.db.auditEvent.count({ where: { teamId: a.teamId } });
    await h.request('POST', '/api/v1/agent/runs', { key: a.viewer, body: { prompt: 'no' } });
    const env = await h.request<{ id: string; name: string }>('POST', '/api/v1/environments', {
      key: a.admin,
      body: { name: 'taken-name', docker_image: 'alpine' },
    });
    const after = await h.db.auditEvent.count({ where: { teamId: a.teamId } });
    expect(after).toBe(before + 1);
    // The second create fails on the unique name inside the transaction: no environment.created for it.
    const dup = await h.request('POST', '/api/v1/environments', {
      key: a.admin,
      body: { name: 'taken-name', docker_image: 'alpine' },
    });
    expect(dup.status).toBe(409);
    expect(await h.db.auditEvent.count({ where: { teamId: a.teamId } })).toBe(after);
    expect(await h.db.auditEvent.count({ where: { targetType: 'environment', targetId: env.body.id } })).toBe(1);
  });

  it('records environment changes with names of what changed, never variable values', async () => {
    const env = (
      await h.request<{ id: string }>('POST', '/api/v1/environments', {
        key: a.admin,
        body: { name: 'audited-env', docker_image: 'alpine', env: { TOKEN_LIKE: 'value-never-logged' } },
      })
    ).body;
    await h.request('PATCH', `/api/v1/environments/${env.id}`, {
      key: a.admin,
      body: { env: { TOKEN_LIKE: 'second-value-never-logged' }, description: 'd' },
    });
    await h.request('DELETE', `/api/v1/environments/${env.id}`, { key: a.team });
    const res = await audit(a.admin, `?target_type=environment&target_id=${env.id}`);
    expect(res.body.events.map((e) => [e.action, e.actor.type, e.data])).toEqual([
      ['environment.deleted', 'service_account', { name: 'audited-env', scope: 'Team', force: false }],
      ['environment.updated', 'user', { name: 'audited-env', changed: ['description', 'env'] }],
      ['environment.created', 'user', { name: 'audited-env', scope: 'Team', docker_image: 'alpine' }],
    ]);
    expect(JSON.stringify(res.body)).not.toContain('never-logged');
  });

  describe('GET /audit', () => {
    it('is for admins (and team keys) only', async () => {
      expect((await audit(a.admin)).status).toBe(200);
      expect((await audit(a.team)).status).toBe(200);
      for (const key of [a.member, a.viewer]) {
        expect(expectProblem(await audit(key), 403, 'not_authorized').detail).toContain('may not read the audit log');
      }
    });

    it('shows only the caller’s team', async () => {
      await h.request('POST', '/api/v1/api-keys', { key: b.admin, body: { name: 'b only' } });
      const bEvents = await h.db.auditEvent.findMany({ where: { teamId: b.teamId }, select: { id: true } });
      expect(bEvents.length).toBeGreaterThan(0);
      const seen = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: ApiResponse<ListAuditResponse> = await audit(
          a.admin,
          `?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        );
        for (const e of page.body.events) seen.add(e.id);
        cursor = page.body.page_info.next_cursor;
      } while (cursor);
      expect(bEvents.filter((e) => seen.has(e.id.toString()))).toEqual([]);
    });

    it('filters by action, actor, target, run and time, and pages newest first without repeats', async () => {
      const team = await createTeam(h.db, 'audit-filters');
      const t0 = new Date();
      const keyIds: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await h.request<{ id: string }>('POST', '/api/v1/api-keys', {
          key: i % 2 === 0 ? team.admin : team.member,
          body: { name: `k${i}` },
        });
        keyIds.push(res.body.id);
      }
      await h.request('POST', `/api/v1/api-keys/${keyIds[0]}/expire`, { key: team.admin });
      const runId = await insertRun(h.db, team.teamId);
      await h.request('POST', `/api/v1/agent/runs/${runId}/cancel`, { key: team.member });

      const all = (await audit(team.admin)).body.events;
      expect(all.map((e) => e.action)).toEqual([
        'run.cancelled',
        'api_key.expired',
        ...Array<string>(5).fill('api_key.created'),
      ]);
      const ids = all.map((e) => BigInt(e.id));
      expect([...ids].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0))).toEqual(ids);

      const q = async (query: string) => (await audit(team.admin, query)).body.events;
      expect((await q('?action=api_key.created')).map((e) => e.target.id)).toEqual([...keyIds].reverse());
      expect((await q(`?actor_user_id=${team.users.member}`)).map((e) => e.action)).toEqual([
        'run.cancelled',
        'api_key.created',
        'api_key.created',
      ]);
      expect((await q(`?target_type=api_key&target_id=${keyIds[0]}`)).map((e) => e.action)).toEqual([
        'api_key.expired',
        'api_key.created',
      ]);
      expect((await q(`?run_id=${runId}`)).map((e) => e.action)).toEqual(['run.cancelled']);
      expect(await q(`?until=${encodeURIComponent(t0.toISOString())}`)).toEqual([]);
      expect(await q(`?since=${encodeURIComponent(t0.toISOString())}`)).toHaveLength(7);
      expect(await q(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);

      // Pages of 3: 3 + 3 + 1, the cursor carries on where the last page stopped.
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const res: ApiResponse<ListAuditResponse> = await audit(
          team.admin,
          `?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        pages.push(res.body.events.map((e) => e.id));
        cursor = res.body.page_info.next_cursor;
        expect(res.body.page_info.has_next_page).toBe(cursor !== null);
      } while (cursor);
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual(all.map((e) => e.id));
    });

    it('names the bad parameter in a 400', async () => {
      for (const [query, fragment] of [
        ['?limit=0', 'limit must be from 1 to 500'],
        ['?limit=many', 'limit must be a number'],
        ['?since=yesterday', 'since must be an ISO 8601 time'],
        ['?cursor=garbage', 'cursor:'],
        ['?since=2026-11-02T00:00:00Z&until=2026-11-01T00:00:00Z', 'since: must be before until'],
        ['?action=a&action=b', 'action: given 2 times'],
        ['?actor=me', 'actor'],
      ] as const) {
        expect(expectProblem(await audit(a.admin, query), 400, 'invalid_request').detail).toContain(fragment);
      }
    });
  });

  describe('GET /agent/runs/{id}/audit', () => {
    it('follows the run’s visibility: a personal run’s trail is its creator’s and the admins’', async () => {
      const created = await h.request<{ run_id: string }>('POST', '/api/v1/agent/runs', {
        key: a.member,
        body: { prompt: 'personal', team: false },
      });
      const runId = created.body.run_id;
      expect((await trail(a.member, runId)).body.events.map((e) => e.action)).toEqual(['run.created']);
      expect((await trail(a.admin, runId)).status).toBe(200);
      expectProblem(await trail(a.otherMember, runId), 404, 'resource_not_found');
      expectProblem(await trail(a.viewer, runId), 404, 'resource_not_found');
      expectProblem(await trail(b.admin, runId), 404, 'resource_not_found');
    });
  });
});
