/**
 * Schedule routes over real HTTP, on real PostgreSQL and the real Temporal dev server: every change shows in the
 * Temporal Schedule of the same id (cron, time zone, overlap, catch-up window, pause), invalid input is a 400 that
 * says what is wrong and leaves nothing behind, a scheduler that cannot be reached leaves no row, and visibility
 * follows the environments' rules. Runs made by firings are covered in test/e2e/schedules.test.ts.
 */
import { Client, Connection, ScheduleNotFoundError, type ScheduleDescription } from '@temporalio/client';
import { z } from 'zod';
import { cronProblem, ScheduledAgentItemSchema, type Problem, type ScheduledAgentItem } from '../../src/domain';
import { AppError } from '../../src/services/app-error';
import { createSchedule, deleteSchedule, reconcileSchedules } from '../../src/services/schedules';
import { createTeam, silentLogger, startHarness, type ApiResponse, type Harness, type TeamKeys } from './helpers';

const StrictItem = z.strictObject(ScheduledAgentItemSchema.shape);
const BASE = '/api/v1/agent/schedules';

function expectProblem(res: ApiResponse, status: number, code: string): Problem {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = res.body as Problem;
  expect(body.type.endsWith(`/${code}`)).toBe(true);
  return body;
}

describe('cron expressions', () => {
  it.each(['* * * * *', '0 9 * * 1-5', '*/15 0-6 1,15 * *', '30 2 * JAN,JUL SUN'])('accepts %s', (cron) => {
    expect(cronProblem(cron)).toBeUndefined();
  });
  it.each([
    ['* * *', 'must have 5 fields (minute hour day-of-month month day-of-week), got 3'],
    ['0 * * * * *', 'got 6 (seconds are not supported)'],
    ['61 * * * *', 'minute field "61": Constraint error, got value 61 expected range 0-59'],
    ['0 25 * * *', 'hour field "25"'],
    ['0 0 * 13 *', 'month field "13"'],
    ['0 0 * * funday', 'day-of-week field "funday"'],
  ])('refuses %s saying what is wrong', (cron, message) => {
    expect(cronProblem(cron)).toContain(message);
  });
});

describe('schedule routes', () => {
  let h: Harness;
  let team: TeamKeys;
  const scheduleIds = new Set<string>();

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'sched');
  });
  afterAll(async () => {
    for (const id of scheduleIds) {
      await h.temporal.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
    await h?.close();
  });

  async function create(body: Record<string, unknown>, key = team.member): Promise<ApiResponse<ScheduledAgentItem>> {
    const res = await h.request<ScheduledAgentItem>('POST', BASE, { key, body });
    if (res.status === 201) scheduleIds.add(res.body.id);
    return res;
  }
  const describeTemporal = (id: string): Promise<ScheduleDescription> => h.temporal.schedule.getHandle(id).describe();

  // No worker serves this harness: crons here fire at most yearly, so no firing waits on the server for one.
  test('create answers 201 with the item and makes a Temporal Schedule of the same id', async () => {
    const res = await create({
      name: 'Nightly deps',
      cron_schedule: '0  3 * * *',
      prompt: 'Check dependencies',
      agent_config: { model_id: 'openai/gpt-4o', name: 'deps' },
      metadata: { team: 'infra' },
      time_zone: 'Europe/Berlin',
      overlap_policy: 'buffer_one',
      catchup_window_seconds: 600,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${BASE}/${res.body.id}`);
    const item = StrictItem.parse(res.body);
    expect(item).toMatchObject({
      name: 'Nightly deps',
      cron_schedule: '0 3 * * *',
      enabled: true,
      prompt: 'Check dependencies',
      agent_config: { model_id: 'openai/gpt-4o', name: 'deps' },
      metadata: { team: 'infra' },
      time_zone: 'Europe/Berlin',
      overlap_policy: 'buffer_one',
      catchup_window_seconds: 600,
      scope: { type: 'Team', uid: team.teamId },
      created_by: { type: 'user', uid: team.users.member },
      history: { last_ran: null, last_run_id: null },
    });
    expect(item.id).toMatch(/^sch_[0-9a-f]{24}$/);
    // next_run comes from Temporal: 03:00 in Berlin, which is 01:00 or 02:00 UTC.
    const next = new Date(item.history!.next_run!);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect([1, 2]).toContain(next.getUTCHours());
    expect(next.getUTCMinutes()).toBe(0);

    const temporal = await describeTemporal(item.id);
    expect(temporal.spec.timezone).toBe('Europe/Berlin');
    expect(temporal.policies.overlap).toBe('BUFFER_ONE');
    expect(temporal.policies.catchupWindow).toBe(600_000);
    expect(temporal.state.paused).toBe(false);
    expect(temporal.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'scheduledRunWorkflow',
      workflowId: item.id,
      taskQueue: `${h.config.temporal.taskQueuePrefix}-runs`,
      args: [{ scheduleId: item.id }],
    });
    expect(temporal.info.nextActionTimes[0]?.toISOString()).toBe(item.history!.next_run);

    const audit = await h.db.auditEvent.findMany({ where: { targetId: item.id } });
    expect(audit.map((a) => a.action)).toEqual(['schedule.created']);

    const got = await h.request<ScheduledAgentItem>('GET', `${BASE}/${item.id}`, { key: team.viewer });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(item);
    const list = await h.request<{ schedules: ScheduledAgentItem[] }>('GET', BASE, { key: team.viewer });
    expect(list.body.schedules.map((s) => s.id)).toContain(item.id);
  });

  test('an invalid cron expression is a 400 naming the field and the problem, and creates nothing', async () => {
    const before = await h.db.schedule.count({ where: { teamId: team.teamId } });
    const bad = await create({ name: 'x', cron_schedule: '61 * * * *', prompt: 'p' });
    const problem = expectProblem(bad, 400, 'invalid_request');
    expect(problem.detail).toContain(
      'cron_schedule: minute field "61": Constraint error, got value 61 expected range 0-59',
    );
    const six = await create({ name: 'x', cron_schedule: '0 0 * * * *', prompt: 'p' });
    expect(expectProblem(six, 400, 'invalid_request').detail).toContain('seconds are not supported');
    const zone = await create({ name: 'x', cron_schedule: '0 0 * * *', prompt: 'p', time_zone: 'Mars/Olympus' });
    expect(expectProblem(zone, 400, 'invalid_request').detail).toContain('time_zone must be an IANA time zone');
    const noPrompt = await create({ name: 'x', cron_schedule: '0 0 * * *' });
    expect(expectProblem(noPrompt, 400, 'invalid_request').detail).toContain(
      'prompt: prompt is required unless agent_config.skill_spec is given',
    );
    const overlap = await create({ name: 'x', cron_schedule: '0 0 * * *', prompt: 'p', overlap_policy: 'cancel' });
    expect(expectProblem(overlap, 400, 'invalid_request').detail).toContain(
      'overlap_policy must be one of skip, buffer_one, allow_all',
    );
    const env = await create({
      name: 'x',
      cron_schedule: '0 0 * * *',
      prompt: 'p',
      agent_config: { environment_id: 'env_000000000000000000000000' },
    });
    expect(expectProblem(env, 404, 'resource_not_found').detail).toContain('agent_config.environment_id');
    expect(await h.db.schedule.count({ where: { teamId: team.teamId } })).toBe(before);
  });

  test('PUT replaces the whole schedule, in the row and in Temporal; enabled is required', async () => {
    const { body: item } = await create({
      name: 'r',
      cron_schedule: '0 9 * * *',
      prompt: 'p',
      time_zone: 'Asia/Tokyo',
      overlap_policy: 'allow_all',
      metadata: { a: 'b' },
    });
    const missing = await h.request('PUT', `${BASE}/${item.id}`, {
      key: team.member,
      body: { name: 'r2', cron_schedule: '*/5 * * * *' },
    });
    expect(expectProblem(missing, 400, 'invalid_request').detail).toContain('enabled');

    const put = await h.request<ScheduledAgentItem>('PUT', `${BASE}/${item.id}`, {
      key: team.member,
      body: { name: 'r2', cron_schedule: '*/5 * * * *', enabled: false, prompt: 'new prompt' },
    });
    expect(put.status).toBe(200);
    expect(StrictItem.parse(put.body)).toMatchObject({
      id: item.id,
      name: 'r2',
      cron_schedule: '*/5 * * * *',
      enabled: false,
      prompt: 'new prompt',
      time_zone: 'UTC',
      overlap_policy: 'skip',
      catchup_window_seconds: 3600,
      metadata: {},
      history: { next_run: null },
    });
    const temporal = await describeTemporal(item.id);
    expect(temporal.spec.timezone).toBe('UTC');
    expect(temporal.policies.overlap).toBe('SKIP');
    expect(temporal.state.paused).toBe(true);
    const badCron = await h.request('PUT', `${BASE}/${item.id}`, {
      key: team.member,
      body: { name: 'r2', cron_schedule: '* * * * 8', enabled: true, prompt: 'p' },
    });
    expect(expectProblem(badCron, 400, 'invalid_request').detail).toContain('day-of-week field "8"');
    expect((await describeTemporal(item.id)).state.paused).toBe(true);
  });

  test('pause and resume change enabled and the Temporal pause state', async () => {
    const { body: item } = await create({ name: 'p', cron_schedule: '0 0 1 1 *', prompt: 'p' });
    const paused = await h.request<ScheduledAgentItem>('POST', `${BASE}/${item.id}/pause`, { key: team.member });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ enabled: false, history: { next_run: null } });
    expect((await describeTemporal(item.id)).state.paused).toBe(true);
    const resumed = await h.request<ScheduledAgentItem>('POST', `${BASE}/${item.id}/resume`, { key: team.member });
    expect(resumed.body.enabled).toBe(true);
    expect(resumed.body.history?.next_run).not.toBeNull();
    expect((await describeTemporal(item.id)).state.paused).toBe(false);
    const actions = await h.db.auditEvent.findMany({ where: { targetId: item.id }, orderBy: { id: 'asc' } });
    expect(actions.map((a) => a.action)).toEqual(['schedule.created', 'schedule.paused', 'schedule.resumed']);
  });

  test('delete removes the row and the Temporal Schedule', async () => {
    const { body: item } = await create({ name: 'd', cron_schedule: '0 0 1 1 *', prompt: 'p' });
    const del = await h.request('DELETE', `${BASE}/${item.id}`, { key: team.member });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ success: true });
    expectProblem(await h.request('GET', `${BASE}/${item.id}`, { key: team.member }), 404, 'resource_not_found');
    await expect(describeTemporal(item.id)).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expectProblem(await h.request('DELETE', `${BASE}/${item.id}`, { key: team.member }), 404, 'resource_not_found');
  });

  test('viewers may read but not change; personal schedules are invisible to other members', async () => {
    const viewer = await create({ name: 'v', cron_schedule: '0 0 1 1 *', prompt: 'p' }, team.viewer);
    expect(expectProblem(viewer, 403, 'not_authorized').detail).toContain('viewers may not create schedules');
    const teamKey = await create({ name: 'v', cron_schedule: '0 0 1 1 *', prompt: 'p', team: false }, team.team);
    expect(expectProblem(teamKey, 400, 'invalid_request').detail).toContain('personal schedule');

    const { body: personal } = await create({ name: 'mine', cron_schedule: '0 0 1 1 *', prompt: 'p', team: false });
    expect(personal.scope).toEqual({ type: 'User', uid: team.users.member });
    for (const key of [team.otherMember, team.viewer]) {
      expectProblem(await h.request('GET', `${BASE}/${personal.id}`, { key }), 404, 'resource_not_found');
      const list = await h.request<{ schedules: ScheduledAgentItem[] }>('GET', BASE, { key });
      expect(list.body.schedules.map((s) => s.id)).not.toContain(personal.id);
    }
    expect((await h.request('GET', `${BASE}/${personal.id}`, { key: team.admin })).status).toBe(200);
    const other = await createTeam(h.db, 'other');
    expectProblem(await h.request('GET', `${BASE}/${personal.id}`, { key: other.admin }), 404, 'resource_not_found');
    expectProblem(
      await h.request('POST', `${BASE}/${personal.id}/pause`, { key: other.admin }),
      404,
      'resource_not_found',
    );
  });

  test('backfill checks its range', async () => {
    const { body: item } = await create({ name: 'b', cron_schedule: '0 0 1 1 *', prompt: 'p' });
    const reversed = await h.request('POST', `${BASE}/${item.id}/backfill`, {
      key: team.member,
      body: { start_time: '2026-01-02T00:00:00Z', end_time: '2026-01-01T00:00:00Z' },
    });
    expect(expectProblem(reversed, 400, 'invalid_request').detail).toContain('end_time must be after start_time');
    const future = await h.request('POST', `${BASE}/${item.id}/backfill`, {
      key: team.member,
      body: { start_time: new Date().toISOString(), end_time: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(expectProblem(future, 400, 'invalid_request').detail).toContain('end_time must not be in the future');
    const viewer = await h.request('POST', `${BASE}/${item.id}/backfill`, {
      key: team.viewer,
      body: { start_time: '2026-01-01T00:00:00Z', end_time: '2026-01-01T00:10:00Z' },
    });
    expectProblem(viewer, 403, 'not_authorized');
  });

  test('start-up reconciliation recreates a lost Temporal schedule and realigns one that drifted', async () => {
    const { body: lost } = await create({
      name: 'lost',
      cron_schedule: '0 0 1 1 *',
      prompt: 'p',
      time_zone: 'Asia/Tokyo',
    });
    const { body: drifted } = await create({ name: 'drifted', cron_schedule: '0 0 1 1 *', prompt: 'p' });
    await h.temporal.schedule.getHandle(lost.id).delete();
    await h.temporal.schedule.getHandle(drifted.id).pause('paused behind Ambit’s back');

    const result = await reconcileSchedules({ db: h.db, temporal: h.temporal, config: h.config, logger: silentLogger });
    expect(result.created).toContain(lost.id);
    expect(result.updated).toContain(drifted.id);
    expect(result.failed).toEqual([]);
    const recreated = await describeTemporal(lost.id);
    expect(recreated.spec.timezone).toBe('Asia/Tokyo');
    expect(recreated.action).toMatchObject({ workflowType: 'scheduledRunWorkflow', args: [{ scheduleId: lost.id }] });
    expect((await describeTemporal(drifted.id)).state.paused).toBe(false);

    const again = await reconcileSchedules({ db: h.db, temporal: h.temporal, config: h.config, logger: silentLogger });
    expect(again.created).not.toContain(lost.id);
    expect(again.updated).not.toContain(drifted.id);
  });

  test('trigger needs the run permission and a visible schedule', async () => {
    const { body: item } = await create({ name: 't', cron_schedule: '0 0 1 1 *', prompt: 'p' });
    expectProblem(await h.request('POST', `${BASE}/${item.id}/trigger`, { key: team.viewer }), 403, 'not_authorized');
    const other = await createTeam(h.db, 'other-t');
    expectProblem(
      await h.request('POST', `${BASE}/${item.id}/trigger`, { key: other.admin }),
      404,
      'resource_not_found',
    );
  });

  test('a scheduler that cannot be reached leaves no row, no audit entry and no Temporal schedule', async () => {
    const unreachable = new Client({
      connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500, interceptors: [] }),
    });
    const principal = {
      keyId: 'k',
      teamId: team.teamId,
      userId: team.users.member,
      role: 'member' as const,
      scope: 'personal' as const,
    };
    const before = await h.db.schedule.count({ where: { teamId: team.teamId } });
    const auditBefore = await h.db.auditEvent.count({ where: { teamId: team.teamId } });
    const failed = createSchedule(
      { db: h.db, temporal: unreachable, config: h.config, logger: silentLogger },
      { principal, request: { name: 'down', cron_schedule: '0 0 1 1 *', prompt: 'p' } },
    );
    await expect(failed).rejects.toBeInstanceOf(AppError);
    await expect(failed).rejects.toMatchObject({ code: 'resource_unavailable', status: 503 });
    expect(await h.db.schedule.count({ where: { teamId: team.teamId } })).toBe(before);
    expect(await h.db.auditEvent.count({ where: { teamId: team.teamId } })).toBe(auditBefore);

    // A delete whose Temporal call fails keeps both the row and the Temporal schedule.
    const { body: item } = await create({ name: 'keep', cron_schedule: '0 0 1 1 *', prompt: 'p' });
    await expect(
      deleteSchedule(
        { db: h.db, temporal: unreachable, config: h.config, logger: silentLogger },
        { principal, scheduleId: item.id },
      ),
    ).rejects.toMatchObject({ code: 'resource_unavailable' });
    expect(await h.db.schedule.findUnique({ where: { id: item.id } })).not.toBeNull();
    expect((await describeTemporal(item.id)).scheduleId).toBe(item.id);
    await unreachable.connection.close().catch(() => undefined);
  });
});
