/**
 * The authorization matrix: every route the app serves × who calls (admin, member, viewer, team key) × which object
 * (a team object of the caller's team, the caller's own personal object, another member's personal object, an
 * object of another team), checked against a table of expected statuses. The routes are read from the Express app,
 * so a route without a row in MATRIX fails the suite: add one row per route (see `Row` below).
 *
 * Requests are valid (right body, existing object), so the status shows the permission decision: 2xx or the
 * operation's own answer (e.g. 409 "nothing to approve") when allowed, 403 for a visible object the role may not
 * touch, 404 for an invisible one. Objects of another team answer 404 to every role, always (checked for every row
 * that acts on an object, without a column in the table). Every non-public route also answers 401 without a key, with
 * an expired key and with a revoked key.
 */
import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/api/app';
import { generateApiKey } from '../../src/db/api-keys';
import type { Db } from '../../src/db/client';
import { createTeam, insertRun, silentLogger, startHarness, type Harness, type TeamKeys } from './helpers';

// ---------------------------------------------------------------------------------------------------------------
// The table. One row per `METHOD /path` the app serves (path parameters in braces, as in the OpenAPI document).
// ---------------------------------------------------------------------------------------------------------------

/** Who calls: three personal keys (by role) and the team key (no user; acts as an admin of its team). */
type Actor = 'admin' | 'member' | 'viewer' | 'teamKey';
const ACTORS: readonly Actor[] = ['admin', 'member', 'viewer', 'teamKey'];
/** Personal objects need a person: the team key has no "own" column. */
type PersonActor = Exclude<Actor, 'teamKey'>;

type Statuses = Record<Actor, number>;

/** What a request sends besides the path. `n` is unique per request (for names and emails). */
interface RequestParts {
  body?: unknown;
  query?: string;
  headers?: Record<string, string>;
}

/** Kinds of object a route acts on; each has a factory in FACTORIES that makes a fresh one per request. */
type ObjectKind =
  | 'run'
  | 'endedRun'
  | 'environment'
  | 'apiKey'
  | 'member'
  | 'secret'
  | 'rule'
  | 'prompt'
  | 'mcpServer'
  | 'varSet'
  | 'integration'
  | 'schedule';

type Row =
  /** Needs no key: called once without one. */
  | { public: true; status: number; request?: (c: Ctx) => RequestParts; sse?: boolean }
  /** No object in the path (create, list): one status per actor. */
  | { status: Statuses; request?: (c: Ctx) => RequestParts; sse?: boolean }
  /**
   * An object in the path: `team` for a team object of the caller's team; `own` for a personal object of the caller
   * (omit when the kind has no personal objects); `others` for another member's personal object.
   */
  | {
      object: ObjectKind;
      team: Statuses;
      own?: Record<PersonActor, number>;
      others?: Statuses;
      request?: (c: Ctx) => RequestParts;
      sse?: boolean;
    };

const ALL = (s: number): Statuses => ({ admin: s, member: s, viewer: s, teamKey: s });
/** Allowed (with `ok`) for everyone but viewers. */
const NOT_VIEWER = (ok: number): Statuses => ({ admin: ok, member: ok, viewer: 403, teamKey: ok });
/** Allowed (with `ok`) for admins and the team key only. */
const ADMIN = (ok: number): Statuses => ({ admin: ok, member: 403, viewer: 403, teamKey: ok });

/** Reading a run: team runs by everyone, personal runs by their creator and the admins. */
const READ_RUN = {
  team: ALL(200),
  own: { admin: 200, member: 200, viewer: 200 },
  others: { admin: 200, member: 404, viewer: 404, teamKey: 200 },
};
/** Intervening in a run (permission intervene), `ok` being the operation's answer when allowed. */
const INTERVENE = (ok: number) => ({
  team: NOT_VIEWER(ok),
  own: { admin: ok, member: ok, viewer: 403 },
  others: { admin: ok, member: 404, viewer: 404, teamKey: ok },
});
/** Writing a scoped object (environment, secret, rule, …): team ones by admins, personal ones by their owner (and admins). */
const WRITE_SCOPED = (ok: number) => ({
  team: ADMIN(ok),
  own: { admin: ok, member: ok, viewer: 403 },
  others: { admin: ok, member: 404, viewer: 404, teamKey: ok },
});

const P = '/api/v1';

/**
 * The five rows of a scoped CRUD resource under `/api/v1/<base>` whose create body is `create` (scope Team added),
 * PATCH body `patch`, and whose objects the factory `kind` makes.
 */
function scopedCrud(
  base: string,
  param: string,
  kind: ObjectKind,
  patch: unknown,
  create: (c: Ctx) => Record<string, unknown>,
): Record<string, Row> {
  return {
    [`post ${P}/${base}`]: { status: ADMIN(201), request: (c) => ({ body: { ...create(c), scope: 'Team' } }) },
    [`get ${P}/${base}`]: { status: ALL(200) },
    [`get ${P}/${base}/{${param}}`]: { object: kind, ...READ_RUN },
    [`patch ${P}/${base}/{${param}}`]: { object: kind, ...WRITE_SCOPED(200), request: () => ({ body: patch }) },
    [`delete ${P}/${base}/{${param}}`]: { object: kind, ...WRITE_SCOPED(200) },
  };
}

const MATRIX: Record<string, Row> = {
  // Public
  [`get ${P}/health`]: { public: true, status: 200 },
  [`get ${P}/openapi.json`]: { public: true, status: 200 },
  [`get ${P}/session`]: { public: true, status: 200 },
  [`post ${P}/session`]: {
    public: true,
    status: 200,
    request: (c) => ({ headers: { 'x-ambit-csrf': '1' }, body: { api_key: c.a.member } }),
  },
  [`delete ${P}/session`]: { public: true, status: 204, request: () => ({ headers: { 'x-ambit-csrf': '1' } }) },

  // Runs
  [`post ${P}/agent/run`]: { status: NOT_VIEWER(200), request: () => ({ body: { prompt: 'matrix' } }) },
  [`post ${P}/agent/runs`]: { status: NOT_VIEWER(200), request: () => ({ body: { prompt: 'matrix' } }) },
  [`get ${P}/agent/runs`]: { status: ALL(200) },
  [`get ${P}/agent/runs/events`]: { status: ALL(200), sse: true },
  [`get ${P}/agent/runs/{runId}`]: { object: 'run', ...READ_RUN },
  [`get ${P}/agent/runs/{runId}/events`]: { object: 'run', ...READ_RUN, sse: true },
  [`get ${P}/agent/runs/{runId}/conversation`]: { object: 'run', ...READ_RUN },
  [`get ${P}/agent/runs/{runId}/audit`]: { object: 'run', ...READ_RUN },
  // A queued run without a workflow: cancelling records CANCELLED directly.
  [`post ${P}/agent/runs/{runId}/cancel`]: { object: 'run', ...INTERVENE(200) },
  // An ended run: the follow-up starts its next execution.
  [`post ${P}/agent/runs/{runId}/followups`]: {
    object: 'endedRun',
    ...INTERVENE(200),
    request: () => ({ body: { message: 'and one more thing' } }),
  },
  // No workflow waits for a decision: 409 once the caller is allowed to decide.
  [`post ${P}/agent/runs/{runId}/approvals`]: {
    object: 'run',
    ...INTERVENE(409),
    request: () => ({ body: { decision: 'approve' } }),
  },
  [`get ${P}/agent/tasks`]: { status: ALL(200) },
  [`get ${P}/agent/tasks/{taskId}`]: { object: 'run', ...READ_RUN },
  [`post ${P}/agent/tasks/{taskId}/cancel`]: { object: 'run', ...INTERVENE(200) },
  [`get ${P}/agent/models`]: { status: ALL(200) },
  // The agents (skills) runs can use.
  [`get ${P}/agent`]: { status: ALL(200) },
  // What `ambit agent run` needs to serve a local run: needs the run permission.
  [`get ${P}/agent/connection`]: { status: NOT_VIEWER(200) },
  [`get ${P}/ui-config`]: { status: ALL(200) },

  // Environments
  [`post ${P}/environments`]: {
    status: ADMIN(201),
    request: (c) => ({ body: { name: `matrix-${c.n}`, docker_image: 'alpine' } }),
  },
  [`get ${P}/environments`]: { status: ALL(200) },
  [`get ${P}/agent/environments`]: { status: ALL(200) },
  [`get ${P}/environments/{environmentId}`]: { object: 'environment', ...READ_RUN },
  [`put ${P}/environments/{environmentId}`]: {
    object: 'environment',
    ...WRITE_SCOPED(200),
    request: (c) => ({ body: { name: `replaced-${c.n}`, docker_image: 'alpine:3' } }),
  },
  [`patch ${P}/environments/{environmentId}`]: {
    object: 'environment',
    ...WRITE_SCOPED(200),
    request: () => ({ body: { description: 'changed' } }),
  },
  [`delete ${P}/environments/{environmentId}`]: { object: 'environment', ...WRITE_SCOPED(200) },

  // API keys: everyone manages their own personal keys; team keys and other people's are the admins'.
  [`post ${P}/api-keys`]: {
    // The team key has no person to own a personal key: 400 says to send scope team.
    status: { admin: 201, member: 201, viewer: 201, teamKey: 400 },
    request: () => ({ body: { name: 'matrix', expires_in: '1d' } }),
  },
  [`get ${P}/api-keys`]: { status: ALL(200) },
  [`post ${P}/api-keys/{keyId}/expire`]: {
    object: 'apiKey',
    team: { admin: 200, member: 404, viewer: 404, teamKey: 200 },
    own: { admin: 200, member: 200, viewer: 200 },
    others: { admin: 200, member: 404, viewer: 404, teamKey: 200 },
  },

  // Members (admins only)
  [`get ${P}/members`]: { status: ADMIN(200) },
  [`post ${P}/members`]: {
    status: ADMIN(201),
    request: (c) => ({ body: { email: `matrix-${c.n}-${randomUUID().slice(0, 8)}@example.com`, role: 'viewer' } }),
  },
  [`patch ${P}/members/{userId}`]: {
    object: 'member',
    team: ADMIN(200),
    request: () => ({ body: { role: 'viewer' } }),
  },
  [`delete ${P}/members/{userId}`]: { object: 'member', team: ADMIN(200) },

  // Audit
  [`get ${P}/audit`]: { status: ADMIN(200) },

  // Interrupts (no workflow is working: 409 once the caller may intervene)
  [`post ${P}/agent/runs/{runId}/interrupt`]: { object: 'run', ...INTERVENE(409) },

  // The Temporal Web UI's codec endpoint: admin keys; payload encryption is off in tests, hence 422 when allowed.
  [`post ${P}/temporal-codec/decode`]: {
    status: { admin: 422, member: 403, viewer: 403, teamKey: 422 },
    request: () => ({ body: { payloads: [] } }),
  },
  [`post ${P}/temporal-codec/encode`]: {
    status: { admin: 422, member: 403, viewer: 403, teamKey: 422 },
    request: () => ({ body: { payloads: [] } }),
  },
  // Webhooks authenticate by their integration's signature, not by API key: an unknown integration is 404.
  [`post ${P}/hooks/{integrationId}`]: { public: true, status: 404, request: () => ({ body: {} }) },

  // Secrets and the team's config objects: scoped like environments.
  ...scopedCrud('secrets', 'secretId', 'secret', { description: 'changed' }, (c) => ({
    name: `MATRIX_${c.n}`,
    value: 'matrix-value',
  })),
  ...scopedCrud('rules', 'id', 'rule', { content: 'changed' }, (c) => ({ name: `rule-${c.n}`, content: 'be nice' })),
  ...scopedCrud('prompts', 'id', 'prompt', { description: 'changed' }, (c) => ({
    name: `prompt-${c.n}`,
    template: 'say hello',
  })),
  ...scopedCrud('mcp-servers', 'id', 'mcpServer', { description: 'changed' }, (c) => ({
    name: `mcp-${c.n}`,
    spec: { command: 'echo' },
  })),
  ...scopedCrud('vars', 'id', 'varSet', { description: 'changed' }, (c) => ({ name: `vars-${c.n}`, vars: { A: '1' } })),
  [`get ${P}/environments/{environmentId}/var-sets`]: { object: 'environment', ...READ_RUN },
  [`put ${P}/environments/{environmentId}/var-sets`]: {
    object: 'environment',
    ...WRITE_SCOPED(200),
    request: () => ({ body: { var_set_ids: [] } }),
  },

  // Schedules: changing one needs the run permission (a schedule starts runs); personal ones are their owner's.
  [`post ${P}/agent/schedules`]: {
    status: NOT_VIEWER(201),
    request: (c) => ({ body: { name: `schedule-${c.n}`, cron_schedule: NEVER_SOON, prompt: 'matrix', team: true } }),
  },
  [`get ${P}/agent/schedules`]: { status: ALL(200) },
  [`get ${P}/agent/schedules/{scheduleId}`]: { object: 'schedule', ...READ_RUN },
  [`put ${P}/agent/schedules/{scheduleId}`]: {
    object: 'schedule',
    ...INTERVENE(200),
    request: (c) => ({
      body: { name: `replaced-${c.n}`, cron_schedule: NEVER_SOON, prompt: 'matrix', enabled: true },
    }),
  },
  [`delete ${P}/agent/schedules/{scheduleId}`]: { object: 'schedule', ...INTERVENE(200) },
  [`post ${P}/agent/schedules/{scheduleId}/pause`]: { object: 'schedule', ...INTERVENE(200) },
  [`post ${P}/agent/schedules/{scheduleId}/resume`]: { object: 'schedule', ...INTERVENE(200) },
  [`post ${P}/agent/schedules/{scheduleId}/trigger`]: { object: 'schedule', ...INTERVENE(200) },
  [`post ${P}/agent/schedules/{scheduleId}/backfill`]: {
    object: 'schedule',
    ...INTERVENE(200),
    request: () => ({ body: { start_time: '2020-01-02T00:00:00Z', end_time: '2020-01-03T00:00:00Z' } }),
  },

  // Integrations (team objects only; changed by admins) and hosts
  [`post ${P}/integrations`]: {
    status: ADMIN(201),
    request: (c) => ({ body: integrationBody(c.n) }),
  },
  [`get ${P}/integrations`]: { status: ALL(200) },
  [`get ${P}/integrations/{integrationId}`]: { object: 'integration', team: ALL(200) },
  [`patch ${P}/integrations/{integrationId}`]: {
    object: 'integration',
    team: ADMIN(200),
    request: () => ({ body: { enabled: false } }),
  },
  [`delete ${P}/integrations/{integrationId}`]: { object: 'integration', team: ADMIN(200) },
  [`get ${P}/hosts`]: { status: ALL(200) },

  // Team settings
  [`get ${P}/team/settings`]: { status: ALL(200) },
  [`patch ${P}/team/settings`]: { status: ADMIN(200), request: () => ({ body: { base_prompt: 'matrix' } }) },
};

// ---------------------------------------------------------------------------------------------------------------
// Objects: each factory makes a fresh object (so one request's change never decides the next one's status).
// ---------------------------------------------------------------------------------------------------------------

interface Ctx {
  h: Harness;
  a: TeamKeys;
  /** Unique per request. */
  n: number;
}

/** `owner` null: a team object; else a personal object of that user. Returns the id that goes in the path. */
type Factory = (db: Db, team: TeamKeys, owner: string | null, h: Harness) => Promise<string>;

let made = 0;

/**
 * Makes an object through the API (POST `path` with `body`) as its owner (team objects: as the team's admin). A
 * viewer cannot create personal objects, but may own some (a member demoted to viewer keeps theirs): those are made
 * by a member and handed to the viewer in `table`.
 */
function viaApi(
  path: string,
  table: string,
  body: (n: number) => Record<string, unknown>,
  scopeOf: (personal: boolean) => Record<string, unknown> = (personal) => ({ scope: personal ? 'User' : 'Team' }),
  ownerColumns = 'owner_user_id = $1, owner_key = $1',
): Factory {
  return async (db, team, owner, h) => {
    const viewerOwns = owner !== null && owner === team.users.viewer;
    const who = (Object.keys(team.users) as (keyof TeamKeys['users'])[]).find((k) => team.users[k] === owner);
    const key = viewerOwns ? team.member : who ? team[who] : team.admin;
    const res = await h.request<{ id: string }>('POST', `${P}${path}`, {
      key,
      body: { ...body(++made), ...scopeOf(owner !== null) },
    });
    if (res.status !== 201) throw new Error(`making an object with POST ${path} failed: ${JSON.stringify(res.body)}`);
    if (viewerOwns) {
      await db.$executeRawUnsafe(`UPDATE "${table}" SET ${ownerColumns} WHERE id = $2`, owner, res.body.id);
    }
    return res.body.id;
  };
}

/** A generic webhook integration: no remote service to register with. */
function integrationBody(n: number): Record<string, unknown> {
  return {
    type: 'webhook',
    name: `matrix-hook-${n}`,
    config: { prompt_template: 'Investigate {{alert.name}}' },
    secret_values: { webhook_secret: `matrix-webhook-secret-${n}-0123456789` },
  };
}

/** Yearly, so no schedule made here ever fires by itself during the test. */
const NEVER_SOON = '0 0 1 1 *';

const FACTORIES: Record<ObjectKind, Factory> = {
  schedule: viaApi(
    '/agent/schedules',
    'schedules',
    (n) => ({ name: `schedule-object-${n}`, cron_schedule: NEVER_SOON, prompt: 'matrix' }),
    (personal) => ({ team: !personal }),
    'owner_user_id = $1',
  ),
  integration: async (_db, team, owner, h) => {
    if (owner) throw new Error('integrations have no personal variant');
    const res = await h.request<{ id: string }>('POST', `${P}/integrations`, {
      key: team.admin,
      body: integrationBody(++made + 100_000),
    });
    if (res.status !== 201) throw new Error(`making an integration failed: ${JSON.stringify(res.body)}`);
    return res.body.id;
  },
  secret: viaApi('/secrets', 'secrets', (n) => ({ name: `MATRIX_OBJECT_${n}`, value: 'matrix-object-value' })),
  rule: viaApi('/rules', 'rules', (n) => ({ name: `rule-object-${n}`, content: 'be nice' })),
  prompt: viaApi('/prompts', 'saved_prompts', (n) => ({ name: `prompt-object-${n}`, template: 'say hello' })),
  mcpServer: viaApi('/mcp-servers', 'mcp_servers', (n) => ({ name: `mcp-object-${n}`, spec: { command: 'echo' } })),
  varSet: viaApi('/vars', 'var_sets', (n) => ({ name: `vars-object-${n}`, vars: { A: '1' } })),
  run: async (db, team, owner, h) => {
    const id = await insertRun(db, team.teamId, {
      scopeType: owner ? 'User' : 'Team',
      creatorUserId: owner ?? team.users.admin,
      creatorType: 'user',
      // An event to send at once: an event stream's headers then arrive without waiting for a heartbeat.
      events: { create: { key: 'created', type: 'state_changed', data: { state: 'QUEUED' } } },
    });
    h.track(id);
    return id;
  },
  endedRun: async (db, team, owner, h) => {
    const id = await insertRun(db, team.teamId, {
      scopeType: owner ? 'User' : 'Team',
      creatorUserId: owner ?? team.users.admin,
      creatorType: 'user',
      state: 'SUCCEEDED',
      endedAt: new Date(),
    });
    h.track(id);
    return id;
  },
  environment: async (db, team, owner) => {
    const id = `env_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    await db.environment.create({
      data: {
        id,
        teamId: team.teamId,
        scope: owner ? 'User' : 'Team',
        ownerUserId: owner,
        ownerKey: owner ?? '',
        name: `matrix-${id}`,
        dockerImage: 'alpine',
        createdByUserId: owner ?? team.users.admin,
      },
    });
    return id;
  },
  apiKey: async (db, team, owner) => {
    const k = generateApiKey();
    const id = `key_${randomUUID()}`;
    await db.apiKey.create({
      data: {
        id,
        name: 'matrix object',
        prefix: k.prefix,
        hash: k.hash,
        teamId: team.teamId,
        userId: owner,
        scope: owner ? 'personal' : 'team',
      },
    });
    return id;
  },
  member: async (db, team, owner) => {
    if (owner) throw new Error('memberships have no personal variant');
    const userId = `matrix-user-${randomUUID().slice(0, 8)}`;
    await db.user.create({ data: { id: userId, displayName: 'matrix member' } });
    await db.membership.create({ data: { teamId: team.teamId, userId, role: 'member' } });
    return userId;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// The checks.
// ---------------------------------------------------------------------------------------------------------------

interface RouterLayer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** Every `METHOD /path` the Express app serves, found by walking its routers (as the OpenAPI coverage test does). */
function servedRoutes(stack: RouterLayer[], prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods)) {
        out.push(`${method} ${prefix}${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...servedRoutes(layer.handle.stack, prefix + mount));
    }
  }
  return [...new Set(out)];
}

/** The status of one request; an event stream is abandoned as soon as its headers arrive. */
async function statusOf(
  h: Harness,
  route: string,
  id: string | undefined,
  key: string | undefined,
  parts: RequestParts,
): Promise<{ status: number; body: string }> {
  const [method, template] = route.split(' ') as [string, string];
  const path = template.replace(/\{\w+\}/, id === undefined ? 'no-such-object' : encodeURIComponent(id));
  const headers: Record<string, string> = { ...parts.headers };
  if (key !== undefined) headers['authorization'] = `Bearer ${key}`;
  let body: string | undefined;
  if (parts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(parts.body);
  }
  const abort = new AbortController();
  const res = await fetch(`${h.url}${path}${parts.query ? `?${parts.query}` : ''}`, {
    method: method.toUpperCase(),
    headers,
    body,
    signal: abort.signal,
  });
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    abort.abort();
    return { status: res.status, body: '(event stream)' };
  }
  return { status: res.status, body: await res.text() };
}

describe('authorization matrix', () => {
  let h: Harness;
  let a: TeamKeys;
  let b: TeamKeys;
  let expiredKey: string;
  let revokedKey: string;
  let n = 0;

  beforeAll(async () => {
    h = await startHarness('postgres');
    a = await createTeam(h.db, 'matrix-a');
    b = await createTeam(h.db, 'matrix-b');
    const past = new Date(Date.now() - 60_000);
    const make = async (data: { expiresAt?: Date; revokedAt?: Date }) => {
      const k = generateApiKey();
      await h.db.apiKey.create({
        data: {
          id: `key_${randomUUID()}`,
          name: 'refused',
          prefix: k.prefix,
          hash: k.hash,
          teamId: a.teamId,
          userId: a.users.admin,
          scope: 'personal',
          ...data,
        },
      });
      return k.key;
    };
    expiredKey = await make({ expiresAt: past });
    revokedKey = await make({ revokedAt: past });
  });
  afterAll(async () => {
    if (h) {
      // Schedules live in Temporal too: delete them there, and stop the runs a trigger started.
      const schedules = await h.db.schedule.findMany({ where: { teamId: { in: [a.teamId, b.teamId] } } });
      for (const s of schedules) {
        const admin = s.teamId === a.teamId ? a.admin : b.admin;
        await h.request('DELETE', `${P}/agent/schedules/${s.id}`, { key: admin });
      }
      const runs = await h.db.run.findMany({ where: { teamId: { in: [a.teamId, b.teamId] } }, select: { id: true } });
      for (const run of runs) h.track(run.id);
    }
    await h?.close();
  });

  const keyOf = (actor: Actor): string => (actor === 'teamKey' ? a.team : a[actor]);
  const partsOf = (row: Row): RequestParts => row.request?.({ h, a, n: ++n }) ?? {};

  it('has exactly one row per served route (add a row to MATRIX for a new route)', () => {
    const app = createApp({ db: h.db, temporal: h.temporal, config: h.config, logger: silentLogger });
    const served = servedRoutes((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
    const missing = served.filter((r) => !(r in MATRIX));
    const stale = Object.keys(MATRIX).filter((r) => !served.includes(r));
    const problems = [
      ...missing.map(
        (r) => `${r}: no authorization rule; add a row for it to MATRIX in test/api/authorization-matrix.test.ts`,
      ),
      ...stale.map((r) => `${r}: has a row in MATRIX but the app does not serve it; remove or rename the row`),
    ];
    expect(problems).toEqual([]);
  });

  describe.each(Object.entries(MATRIX))('%s', (route, row) => {
    if ('public' in row) {
      it(`answers ${row.status} without a key`, async () => {
        const res = await statusOf(h, route, undefined, undefined, partsOf(row));
        expect({ status: res.status, body: res.body }).toMatchObject({ status: row.status });
      });
      return;
    }

    it('answers 401 without a key, with an expired key and with a revoked key', async () => {
      const got: Record<string, number> = {};
      for (const [label, key] of [
        ['no key', undefined],
        ['expired key', expiredKey],
        ['revoked key', revokedKey],
      ] as const) {
        got[label] = (await statusOf(h, route, 'any-id', key, partsOf(row))).status;
      }
      expect(got).toEqual({ 'no key': 401, 'expired key': 401, 'revoked key': 401 });
    });

    if ('status' in row) {
      it('answers each role as the table says', async () => {
        const mismatches: string[] = [];
        for (const actor of ACTORS) {
          const res = await statusOf(h, route, undefined, keyOf(actor), partsOf(row));
          if (res.status !== row.status[actor]) {
            mismatches.push(`${actor}: expected ${row.status[actor]}, got ${res.status} ${res.body.slice(0, 300)}`);
          }
        }
        expect(mismatches).toEqual([]);
      });
      return;
    }

    const make = FACTORIES[row.object];
    it('answers each role as the table says, for team objects and personal ones', async () => {
      const mismatches: string[] = [];
      const check = async (actor: Actor, what: string, owner: string | null, expected: number | undefined) => {
        if (expected === undefined) return;
        const id = await make(h.db, a, owner, h);
        const res = await statusOf(h, route, id, keyOf(actor), partsOf(row));
        if (res.status !== expected) {
          mismatches.push(`${actor} on ${what}: expected ${expected}, got ${res.status} ${res.body.slice(0, 300)}`);
        }
      };
      for (const actor of ACTORS) {
        await check(actor, 'a team object', null, row.team[actor]);
        if (actor !== 'teamKey' && row.own)
          await check(actor, 'its own personal object', a.users[actor], row.own[actor]);
        if (row.others) await check(actor, "another member's personal object", a.users.otherMember, row.others[actor]);
      }
      expect(mismatches).toEqual([]);
    });

    it("answers 404 to every role for another team's object", async () => {
      const got: Partial<Statuses> = {};
      for (const actor of ACTORS) {
        const id = await make(h.db, b, null, h);
        got[actor] = (await statusOf(h, route, id, keyOf(actor), partsOf(row))).status;
      }
      expect(got).toEqual(ALL(404));
    });
  });
});
