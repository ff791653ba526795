/**
 * `ambit audit` against the real API over a real PostgreSQL database: the team log with filters and pages, and a
 * run's own trail.
 */
import type { ListAuditResponse } from '../../src/client';
import { createTeam, insertRun, startHarness, type Harness, type TeamKeys } from '../api/helpers';
import { lines, runAmbit } from './spawn-cli';

describe('ambit audit', () => {
  let h: Harness;
  let team: TeamKeys;
  let runId: string;
  let as: (key: string) => Record<string, string>;

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'cli-audit');
    as = (key) => ({ AMBIT_API_URL: h.url, AMBIT_API_KEY: key });
    for (const name of ['one', 'two', 'three']) {
      const res = await h.request('POST', '/api/v1/api-keys', { key: team.member, body: { name } });
      expect(res.status).toBe(201);
    }
    runId = await insertRun(h.db, team.teamId);
    expect((await h.request('POST', `/api/v1/agent/runs/${runId}/cancel`, { key: team.admin })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  test('lists the team log newest first as a table, and filters', async () => {
    const res = await runAmbit(['audit'], as(team.admin));
    expect(res.code).toBe(0);
    const out = lines(res.stdout);
    expect(out[0]).toMatch(/^ID\s+TIME\s+ACTOR\s+ACTION\s+TARGET\s+RUN$/);
    expect(out.slice(1).map((l) => l.split(/\s{2,}/)[3])).toEqual([
      'run.cancelled',
      'api_key.created',
      'api_key.created',
      'api_key.created',
    ]);

    const json = await runAmbit(
      ['audit', 'list', '--action', 'api_key.created', '--actor', team.users.member, '-o', 'json'],
      as(team.admin),
    );
    const page = JSON.parse(json.stdout) as ListAuditResponse;
    expect(page.events.map((e) => e.data['name'])).toEqual(['three', 'two', 'one']);
    expect(page.events.every((e) => e.actor.user_id === team.users.member)).toBe(true);
  });

  test('pages with --limit and --cursor', async () => {
    const first = JSON.parse(
      (await runAmbit(['audit', '--limit', '3', '-o', 'json'], as(team.admin))).stdout,
    ) as ListAuditResponse;
    expect(first.events).toHaveLength(3);
    expect(first.page_info.has_next_page).toBe(true);
    const second = JSON.parse(
      (
        await runAmbit(
          ['audit', '--limit', '3', '--cursor', first.page_info.next_cursor!, '-o', 'json'],
          as(team.admin),
        )
      ).stdout,
    ) as ListAuditResponse;
    expect(second.events.map((e) => e.action)).toEqual(['api_key.created']);
    expect(second.page_info).toEqual({ has_next_page: false, next_cursor: null });
  });

  test('audit run shows the run’s own trail to a member; the team log stays admin-only', async () => {
    const trail = await runAmbit(['audit', 'run', runId, '-o', 'ndjson'], as(team.viewer));
    expect(trail.code).toBe(0);
    expect(lines(trail.stdout).map((l) => (JSON.parse(l) as { action: string }).action)).toEqual(['run.cancelled']);
    const refused = await runAmbit(['audit'], as(team.member));
    expect(refused.code).toBe(1);
    expect(lines(refused.stderr)).toHaveLength(1);
    expect(refused.stderr).toContain('members may not read the audit log');
  });

  test('bad flags are usage errors naming the flag', async () => {
    const res = await runAmbit(['audit', '--since', 'yesterday'], as(team.admin));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--since must be an ISO 8601 time');
  });
});
