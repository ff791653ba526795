/** `GET /agent/runs` filters, sorting and keyset pagination over real HTTP and both database kinds. */
import type { ListRunsResponse, Problem } from '../../src/domain';
import { DB_KINDS } from '../helpers/database';
import { createTeam, insertRun, startHarness, type Harness, type TeamKeys } from './helpers';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

type Params = [string, string][];

describe.each(DB_KINDS)('listing runs on %s', (kind) => {
  let h: Harness;
  let team: TeamKeys;
  /** Seeded runs by name; ids are chosen so r1 < r4 breaks their ties. */
  const r: Record<'r1' | 'r2' | 'r3' | 'r4', string> = { r1: '', r2: '', r3: '', r4: '' };

  beforeAll(async () => {
    h = await startHarness(kind);
    team = await createTeam(h.db, 'list');
    const p = `run_${team.teamId.slice(-8)}`;
    r.r1 = await insertRun(h.db, team.teamId, {
      id: `${p}_a1`,
      title: 'Alpha deploy',
      prompt: 'Deploy the API',
      state: 'QUEUED',
      configName: 'deployer',
      modelId: 'openai/gpt-4o',
      creatorUserId: team.users.member,
      creatorType: 'user',
      source: 'API',
      executionLocation: 'REMOTE',
      environmentId: 'env_a',
      metadata: { env: 'prod', tier: '1' },
      createdAt: at(1),
      updatedAt: at(10),
    });
    r.r2 = await insertRun(h.db, team.teamId, {
      id: `${p}_a2`,
      title: 'Beta cleanup',
      prompt: 'Clean the CACHE, 100% of it',
      state: 'FAILED',
      configName: null,
      modelId: 'anthropic/claude-sonnet-4-5',
      creatorUserId: team.users.otherMember,
      creatorType: 'user',
      source: 'CLI',
      executionLocation: 'LOCAL',
      scheduleId: 'sch_1',
      artifactTypes: ['PULL_REQUEST'],
      metadata: { env: 'staging' },
      createdAt: at(2),
      updatedAt: at(5),
    });
    r.r3 = await insertRun(h.db, team.teamId, {
      id: `${p}_a3`,
      title: 'Gamma report',
      prompt: 'write a report',
      state: 'SUCCEEDED',
      configName: 'reporter',
      modelId: 'openai/gpt-4o',
      creatorUserId: team.users.admin,
      creatorType: 'user',
      source: 'SCHEDULED_AGENT',
      environmentId: 'env_b',
      scheduleId: 'sch_1',
      artifactTypes: ['PLAN', 'FILE'],
      metadata: { env: 'prod', tier: '2' },
      createdAt: at(3),
      updatedAt: at(30),
    });
    r.r4 = await insertRun(h.db, team.teamId, {
      id: `${p}_a4`,
      title: 'Alpha deploy',
      prompt: 'deploy again',
      state: 'INPROGRESS',
      configName: 'deployer',
      creatorUserId: team.users.member,
      creatorType: 'user',
      metadata: {},
      createdAt: at(4),
      updatedAt: at(20),
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function list(params: Params, key = team.admin) {
    const qs = new URLSearchParams(params).toString();
    return h.request<ListRunsResponse>('GET', `/api/v1/agent/runs${qs ? `?${qs}` : ''}`, { key });
  }
  async function ids(params: Params): Promise<string[]> {
    const res = await list(params);
    expect(res.status).toBe(200);
    return res.body.runs.map((run) => run.run_id);
  }
  const sorted = (xs: string[]) => [...xs].sort();

  it.each<[string, Params, (keyof typeof r)[]]>([
    [
      'repeated state',
      [
        ['state', 'QUEUED'],
        ['state', 'FAILED'],
      ],
      ['r1', 'r2'],
    ],
    ['comma-separated state', [['state', 'QUEUED,FAILED']], ['r1', 'r2']],
    ['name', [['name', 'deployer']], ['r1', 'r4']],
    ['config_name (older spelling)', [['config_name', 'reporter']], ['r3']],
    ['model_id', [['model_id', 'openai/gpt-4o']], ['r1', 'r3']],
    ['source', [['source', 'CLI']], ['r2']],
    ['execution_location', [['execution_location', 'LOCAL']], ['r2']],
    ['environment_id', [['environment_id', 'env_a']], ['r1']],
    ['environment_id=empty-environment', [['environment_id', 'empty-environment']], ['r2', 'r4']],
    ['schedule_id', [['schedule_id', 'sch_1']], ['r2', 'r3']],
    ['artifact_type PLAN', [['artifact_type', 'PLAN']], ['r3']],
    ['artifact_type PULL_REQUEST', [['artifact_type', 'PULL_REQUEST']], ['r2']],
    ['created_after', [['created_after', at(2.5).toISOString()]], ['r3', 'r4']],
    ['created_before', [['created_before', '2026-01-01T00:00:02.500+00:00']], ['r1', 'r2']],
    ['updated_after', [['updated_after', at(15).toISOString()]], ['r3', 'r4']],
    ['q over title and prompt, case-insensitive', [['q', 'DEPLOY']], ['r1', 'r4']],
    ['q over the prompt only', [['q', 'cache']], ['r2']],
    ['q with a LIKE wildcard matches it literally', [['q', '100%']], ['r2']],
    ['q with a lone wildcard matches nothing', [['q', '_']], []],
    ['q with a backslash matches it literally', [['q', '\\']], []],
    ['metadata[k]=v', [['metadata[env]', 'prod']], ['r1', 'r3']],
    [
      'metadata filters AND',
      [
        ['metadata[env]', 'prod'],
        ['metadata[tier]', '2'],
      ],
      ['r3'],
    ],
    [
      'all filters AND',
      [
        ['state', 'SUCCEEDED'],
        ['model_id', 'openai/gpt-4o'],
        ['source', 'SCHEDULED_AGENT'],
      ],
      ['r3'],
    ],
    ['a filter nothing matches', [['name', 'nobody']], []],
  ])('filters by %s', async (_label, params, expected) => {
    expect(sorted(await ids(params))).toEqual(sorted(expected.map((k) => r[k])));
  });

  it('filters by creator', async () => {
    expect(await ids([['creator', team.users.otherMember]])).toEqual([r.r2]);
  });

  it.each<[string, Params, (keyof typeof r)[]]>([
    ['updated_at desc by default', [], ['r3', 'r4', 'r1', 'r2']],
    ['updated_at asc', [['sort_order', 'asc']], ['r2', 'r1', 'r4', 'r3']],
    ['created_at desc', [['sort_by', 'created_at']], ['r4', 'r3', 'r2', 'r1']],
    [
      'created_at asc',
      [
        ['sort_by', 'created_at'],
        ['sort_order', 'asc'],
      ],
      ['r1', 'r2', 'r3', 'r4'],
    ],
    [
      'title asc, ties by id',
      [
        ['sort_by', 'title'],
        ['sort_order', 'asc'],
      ],
      ['r1', 'r4', 'r2', 'r3'],
    ],
    ['title desc, ties by id', [['sort_by', 'title']], ['r3', 'r2', 'r4', 'r1']],
    [
      'agent (config name) asc, unnamed last',
      [
        ['sort_by', 'agent'],
        ['sort_order', 'asc'],
      ],
      ['r1', 'r4', 'r3', 'r2'],
    ],
    ['agent (config name) desc, unnamed last', [['sort_by', 'agent']], ['r3', 'r4', 'r1', 'r2']],
  ])('sorts by %s', async (_label, params, expected) => {
    expect(await ids(params)).toEqual(expected.map((k) => r[k]));
  });

  it.each([
    ['updated_at', 'desc'],
    ['updated_at', 'asc'],
    ['created_at', 'desc'],
    ['created_at', 'asc'],
    ['title', 'desc'],
    ['title', 'asc'],
    ['agent', 'desc'],
    ['agent', 'asc'],
  ])('pages through sort_by=%s&sort_order=%s one run at a time in the same order', async (sortBy, order) => {
    const base: Params = [
      ['sort_by', sortBy],
      ['sort_order', order],
    ];
    const all = await ids(base);
    const paged: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await list([...base, ['limit', '1'], ...(cursor ? ([['cursor', cursor]] as Params) : [])]);
      expect(res.status).toBe(200);
      paged.push(...res.body.runs.map((run) => run.run_id));
      if (!res.body.page_info.has_next_page) {
        expect(res.body.page_info.next_cursor).toBeUndefined();
        break;
      }
      cursor = res.body.page_info.next_cursor;
      expect(typeof cursor).toBe('string');
    }
    expect(paged).toEqual(all);
  });

  it('keeps later pages stable when runs are inserted between pages', async () => {
    const fresh = await createTeam(h.db, 'pages');
    const originals: string[] = [];
    for (let i = 0; i < 6; i++) {
      originals.push(await insertRun(h.db, fresh.teamId, { createdAt: at(100 + i), updatedAt: at(100 + i) }));
    }
    const pageOf = (cursor?: string) =>
      list(
        [['sort_by', 'created_at'], ['limit', '2'], ...(cursor ? ([['cursor', cursor]] as Params) : [])],
        fresh.admin,
      );
    const first = await pageOf();
    expect(first.body.runs.map((x) => x.run_id)).toEqual([originals[5], originals[4]]);
    // A newer run (would sort first) and one that sorts inside the pages still to come.
    const newest = await insertRun(h.db, fresh.teamId, { createdAt: at(200) });
    const between = await insertRun(h.db, fresh.teamId, { createdAt: at(101.5) });
    const second = await pageOf(first.body.page_info.next_cursor);
    const third = await pageOf(second.body.page_info.next_cursor);
    const fourth = await pageOf(third.body.page_info.next_cursor);
    const seen = [first, second, third, fourth].flatMap((p) => p.body.runs.map((x) => x.run_id));
    expect(seen).toEqual([originals[5], originals[4], originals[3], originals[2], between, originals[1], originals[0]]);
    expect(seen).not.toContain(newest);
    expect(fourth.body.page_info.has_next_page).toBe(false);
  });

  it('reports has_next_page and a cursor only when more runs follow', async () => {
    const page = await list([['limit', '3']]);
    expect(page.body.runs).toHaveLength(3);
    expect(page.body.page_info.has_next_page).toBe(true);
    const exact = await list([['limit', '4']]);
    expect(exact.body.page_info).toEqual({ has_next_page: false });
  });

  it.each<[string, Params, string]>([
    ['limit 0', [['limit', '0']], 'limit: must be an integer from 1 to 500'],
    ['limit 501', [['limit', '501']], 'limit: must be an integer from 1 to 500'],
    ['limit not a number', [['limit', 'ten']], 'limit: must be an integer from 1 to 500'],
    ['an unknown state', [['state', 'DONE']], 'state.0:'],
    ['an unknown sort', [['sort_by', 'size']], 'sort_by:'],
    ['an unknown sort order', [['sort_order', 'up']], 'sort_order:'],
    ['an unknown source', [['source', 'EMAIL']], 'source:'],
    ['a bad timestamp', [['created_after', 'yesterday']], 'created_after: must be an RFC 3339 timestamp'],
    [
      'a parameter given twice',
      [
        ['limit', '1'],
        ['limit', '2'],
      ],
      'limit: given 2 times',
    ],
    [
      'more than 5 metadata filters',
      [1, 2, 3, 4, 5, 6].map((i) => [`metadata[k${i}]`, 'v'] as [string, string]),
      'metadata: 6 filters given; at most 5',
    ],
    ['a garbage cursor', [['cursor', 'not-a-cursor']], 'cursor: not a cursor returned by this API'],
  ])('answers 400 naming the field for %s', async (_label, params, detail) => {
    const res = await list(params);
    expect(res.status).toBe(400);
    expect((res.body as unknown as Problem).detail).toContain(detail);
  });

  it('refuses a cursor from another sort or order', async () => {
    const page = await list([
      ['sort_by', 'title'],
      ['limit', '1'],
    ]);
    const cursor = page.body.page_info.next_cursor ?? '';
    for (const params of [
      [['sort_by', 'created_at']],
      [
        ['sort_by', 'title'],
        ['sort_order', 'asc'],
      ],
    ] as Params[]) {
      const res = await list([...params, ['cursor', cursor]]);
      expect(res.status).toBe(400);
      const detail = (res.body as unknown as Problem).detail ?? '';
      expect(detail).toContain('cursor: it belongs to sort_by=title&sort_order=desc');
    }
  });

  it('answers 404 for an ancestor_run_id that is not visible', async () => {
    const res = await list([['ancestor_run_id', 'run_missing']]);
    expect(res.status).toBe(404);
  });
});
