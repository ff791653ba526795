/**
 * Schedules end to end on the real Temporal server, real workers, real API and PostgreSQL: a firing makes one run
 * (source SCHEDULED_AGENT, the schedule on the run, the schedule's creator) as a child workflow under the run id,
 * which cancel, follow-ups and reads reach as for any run; it gets team secrets but not its creator's personal ones
 * (while the same user's own run does); the overlap policy skips a firing while the last run
 * still works; a backfill makes one run per past firing, and a repeated backfill none; and the schedule keeps
 * firing after the worker and the API were stopped and started again. Firings come from `trigger`, backfill, and
 * (for overlap and restarts) the per-minute cron itself.
 */
import { randomBytes } from 'node:crypto';
import { Connection, Client, type ScheduleDescription } from '@temporalio/client';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { createLogger } from '../../src/logger';
import { scheduledRunId } from '../../activities/schedules';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import type { RunningWorkers } from '../../workers/run-worker';
import { temporalAddress } from '../helpers/temporal';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('schedules on Temporal Schedules', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let worker: RunningWorkers;
  const scheduleIds: string[] = [];

  beforeAll(async () => {
    models = await startScriptedModelServer();
    models.addScript('sched-ok', [{ text: 'scheduled work done' }]);
    models.addScript('sched-hold', [{ gate: 'sched-hold-gate', text: 'held work done' }]);
    // Reports which secrets the run's environment has, without printing a value.
    const probe =
      'for v in TEAM_TOKEN PERSONAL_TOKEN; do if [ -n "$(printenv $v)" ]; then echo "$v=present"; ' +
      'else echo "$v=absent"; fi; done';
    models.addScript('sched-secrets', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: probe } }] },
      { text: 'checked' },
    ]);
    platform = await startTestPlatform({
      env: {
        OPENAI_COMPATIBLE_BASE_URL: models.url,
        AMBIT_DEFAULT_MODEL: 'openai-compatible/m',
        AMBIT_MASTER_KEY: randomBytes(32).toString('base64'),
      },
      worker: false,
    });
    worker = await platform.startWorker();
  });
  afterAll(async () => {
    for (const id of scheduleIds) {
      await platform?.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
    models?.release('sched-hold-gate');
    await platform?.stop();
    await models?.close();
  });

  async function createSchedule(body: Record<string, unknown>): Promise<any> {
    const res = await platform.request('POST', '/agent/schedules', body);
    expect(res.status).toBe(201);
    scheduleIds.push(res.body.id);
    return res.body;
  }
  type Request = (method: string, route: string) => Promise<{ status: number; body: any }>;
  async function runsOf(scheduleId: string, request?: Request): Promise<any[]> {
    const res = await (request ?? ((m: string, r: string) => platform.request(m, r)))(
      'GET',
      `/agent/runs?schedule_id=${scheduleId}&limit=100&sort_by=created_at`,
    );
    expect(res.status).toBe(200);
    return res.body.runs;
  }
  const describeSchedule = (id: string): Promise<ScheduleDescription> =>
    platform.client.schedule.getHandle(id).describe();

  test('a firing makes one run with the schedule on it, as a child workflow that cancel and follow-ups reach', async () => {
    const schedule = await createSchedule({
      name: 'Nightly check',
      cron_schedule: '0 3 * * *',
      prompt: 'Check things [script:sched-ok]',
      metadata: { origin: 'schedule-test' },
    });
    const fired = await platform.request('POST', `/agent/schedules/${schedule.id}/trigger`);
    expect(fired.body).toEqual({ success: true });
    const [listed] = await until('the triggered run', async () => {
      const runs = await runsOf(schedule.id);
      return runs.length > 0 ? runs : undefined;
    });
    const run = await platform.waitForState(listed.run_id, TERMINAL);
    expect(run).toMatchObject({
      state: 'SUCCEEDED',
      source: 'SCHEDULED_AGENT',
      title: 'Nightly check',
      prompt: 'Check things [script:sched-ok]',
      schedule: { schedule_id: schedule.id, schedule_name: 'Nightly check', cron_schedule: '0 3 * * *' },
      metadata: { origin: 'schedule-test' },
      scope: { type: 'Team' },
    });
    expect(run.creator?.uid).toBe(schedule.created_by?.uid);

    // The run id derives from the firing; its workflow is the firing workflow's child.
    const description = await platform.client.workflow.getHandle(run.run_id).describe();
    expect(description.parentExecution?.workflowId).toMatch(new RegExp(`^${schedule.id}-`));
    const firing = await platform.client.workflow.getHandle(description.parentExecution!.workflowId!).describe();
    const scheduledAt = firing.typedSearchAttributes.getAll().find((p) => p.key.name === 'TemporalScheduledStartTime')
      ?.value as Date;
    expect(run.run_id).toBe(scheduledRunId(schedule.id, scheduledAt.toISOString()));

    const got = await platform.request('GET', `/agent/schedules/${schedule.id}`);
    expect(got.body.history).toMatchObject({ last_run_id: run.run_id, last_ran: scheduledAt.toISOString() });
    expect(got.body.last_spawn_error).toBeNull();

    // A follow-up to the ended scheduled run starts its next execution, like any run's.
    const followup = await platform.request('POST', `/agent/runs/${run.run_id}/followups`, { message: 'And again.' });
    expect(followup.body).toMatchObject({ run_id: run.run_id, delivery: 'restarted', execution: 2 });
    expect((await platform.waitForState(run.run_id, TERMINAL)).state).toBe('SUCCEEDED');
    expect(await runsOf(schedule.id)).toHaveLength(1);
  });

  test("a scheduled run gets the team's secrets but never its creator's personal ones", async () => {
    // The platform's key belongs to a user (admin): a run it starts itself gets that user's personal secret.
    const team = await platform.request('POST', '/secrets', { name: 'TEAM_TOKEN', value: 'team-value-1' });
    expect(team.status).toBe(201);
    const personal = await platform.request('POST', '/secrets', {
      name: 'PERSONAL_TOKEN',
      value: 'personal-value-1',
      scope: 'User',
    });
    expect(personal.status).toBe(201);
    const direct = await platform.request('POST', '/agent/runs', {
      prompt: 'Which secrets? [script:sched-secrets] marker-direct-run',
    });
    expect((await platform.waitForState(direct.body.run_id, TERMINAL)).state).toBe('SUCCEEDED');
    const directCall = JSON.stringify(
      models.callsFor('sched-secrets').filter((c) => JSON.stringify(c.body).includes('marker-direct-run'))[1]?.body,
    );
    expect(directCall).toContain('TEAM_TOKEN=present');
    expect(directCall).toContain('PERSONAL_TOKEN=present');

    const schedule = await createSchedule({
      name: 'Secrets probe',
      cron_schedule: '0 3 * * *',
      prompt: 'Which secrets? [script:sched-secrets] marker-scheduled-run',
    });
    expect((await platform.request('POST', `/agent/schedules/${schedule.id}/trigger`)).status).toBe(200);
    const [run] = await until('the scheduled run', async () => {
      const runs = await runsOf(schedule.id);
      return runs.length > 0 ? runs : undefined;
    });
    expect((await platform.waitForState(run.run_id, TERMINAL)).state).toBe('SUCCEEDED');
    expect(run.creator?.uid).toBe(schedule.created_by?.uid);
    const scheduledCall = JSON.stringify(
      models.callsFor('sched-secrets').filter((c) => JSON.stringify(c.body).includes('marker-scheduled-run'))[1]?.body,
    );
    expect(scheduledCall).toContain('TEAM_TOKEN=present');
    expect(scheduledCall).toContain('PERSONAL_TOKEN=absent');
  });

  test('a firing whose environment was deleted (with force) makes no run and records last_spawn_error', async () => {
    const env = await platform.request('POST', '/environments', { name: 'gone-soon', docker_image: 'ubuntu:24.04' });
    expect(env.status).toBe(201);
    const schedule = await createSchedule({
      name: 'Needs its environment',
      cron_schedule: '0 3 * * *',
      prompt: 'Work [script:sched-ok]',
      agent_config: { environment_id: env.body.id },
    });
    expect(schedule.environment).toMatchObject({ name: 'gone-soon', docker_image: 'ubuntu:24.04' });
    // Deleting an environment a schedule uses takes force (the 409 names the schedule).
    const refused = await platform.request('DELETE', `/environments/${env.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('schedule "Needs its environment"');
    expect((await platform.request('DELETE', `/environments/${env.body.id}?force=true`)).status).toBe(200);

    expect((await platform.request('POST', `/agent/schedules/${schedule.id}/trigger`)).status).toBe(200);
    const failed = await until('the firing to record its error', async () => {
      const got = await platform.request('GET', `/agent/schedules/${schedule.id}`);
      return got.body.last_spawn_error ? got.body : undefined;
    });
    expect(failed.last_spawn_error).toContain('config.environment_id');
    expect(failed.last_spawn_error).toContain(env.body.id);
    expect(failed.history).toMatchObject({ last_ran: null, last_run_id: null });
    expect(await runsOf(schedule.id)).toEqual([]);
  });

  test('overlap skip: the cron firing that comes while the last run still works is skipped; cancel ends that run', async () => {
    const schedule = await createSchedule({
      name: 'Every minute',
      cron_schedule: '* * * * *',
      prompt: 'Hold [script:sched-hold]',
    });
    expect(schedule.overlap_policy).toBe('skip');
    // Fired through the API, under the schedule's own policy, so the scheduler tracks the run for the next firing.
    expect((await platform.request('POST', `/agent/schedules/${schedule.id}/trigger`)).status).toBe(200);
    await models.waitForGate('sched-hold-gate');
    const [held] = await runsOf(schedule.id);
    expect(held.state).toBe('INPROGRESS');

    // The next per-minute firing finds the run still working and is skipped.
    await until(
      'a firing skipped for overlap',
      async () => ((await describeSchedule(schedule.id)).info.numActionsSkippedOverlap > 0 ? true : undefined),
      130_000,
    );
    expect(await runsOf(schedule.id)).toHaveLength(1);

    const paused = await platform.request('POST', `/agent/schedules/${schedule.id}/pause`);
    expect(paused.body.enabled).toBe(false);
    const cancel = await platform.request('POST', `/agent/runs/${held.run_id}/cancel`);
    expect(cancel.status).toBe(200);
    expect((await platform.waitForState(held.run_id, TERMINAL)).state).toBe('CANCELLED');
    // The firing workflow ends with its run.
    const parent = (await platform.client.workflow.getHandle(held.run_id).describe()).parentExecution!;
    await platform.client.workflow.getHandle(parent.workflowId!).result();
    expect((await describeSchedule(schedule.id)).info.runningActions).toHaveLength(0);
  });

  test('backfill makes one run per past firing, one after the other; a repeated backfill makes none', async () => {
    const schedule = await createSchedule({
      name: 'Ten-minutely',
      cron_schedule: '*/10 * * * *',
      prompt: 'Catch up [script:sched-ok]',
      enabled: false,
    });
    const tenMinutes = 600_000;
    const end = new Date(Math.floor(Date.now() / tenMinutes) * tenMinutes - tenMinutes + 1000);
    const start = new Date(end.getTime() - 3 * tenMinutes);
    const expected = [1, 2, 3].map((i) => new Date(start.getTime() - 1000 + i * tenMinutes).toISOString());

    const res = await platform.request('POST', `/agent/schedules/${schedule.id}/backfill`, {
      start_time: start.toISOString(),
      end_time: end.toISOString(),
    });
    expect(res.status).toBe(200);
    const runs = await until('three backfilled runs to end', async () => {
      const all = await runsOf(schedule.id);
      return all.length === 3 && all.every((r) => TERMINAL.includes(r.state)) ? all : undefined;
    });
    expect(runs.map((r) => r.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(runs.map((r) => r.run_id).sort()).toEqual(expected.map((at) => scheduledRunId(schedule.id, at)).sort());

    const taken = (await describeSchedule(schedule.id)).info.numActionsTaken;
    const again = await platform.request('POST', `/agent/schedules/${schedule.id}/backfill`, {
      start_time: start.toISOString(),
      end_time: end.toISOString(),
    });
    expect(again.status).toBe(200);
    await until('the repeated backfill to be taken and finish', async () => {
      const info = (await describeSchedule(schedule.id)).info;
      return info.numActionsTaken >= taken + 3 && info.runningActions.length === 0 ? true : undefined;
    });
    expect(await runsOf(schedule.id)).toHaveLength(3);
    const got = await platform.request('GET', `/agent/schedules/${schedule.id}`);
    expect(got.body.history.last_ran).toBe(expected[2]);
  });

  test('the schedule keeps firing after the worker and the API are stopped and started again', async () => {
    const schedule = await createSchedule({
      name: 'Survivor',
      cron_schedule: '* * * * *',
      prompt: 'Still here [script:sched-ok]',
    });
    // Stop every process of the platform: the worker(s) and the API with its Temporal connection.
    const logger = createLogger(platform.config, 'test');
    await platform.api.close();
    await worker.shutdown();
    const connection = await Connection.connect({ address: temporalAddress() });
    const api: ApiServer = await startApiServer({
      db: platform.database.db,
      temporal: new Client({ connection, namespace: 'default' }),
      config: platform.config,
      logger,
      port: 0,
      host: '127.0.0.1',
    });
    try {
      await platform.startWorker();
      const request = async (method: string, route: string) => {
        const res = await fetch(`${api.url}/api/v1${route}`, {
          method,
          headers: { authorization: `Bearer ${platform.apiKey}` },
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      const run = await until(
        'a firing after the restart to end',
        async () => {
          const [first] = await runsOf(schedule.id, request);
          return first && TERMINAL.includes(first.state) ? first : undefined;
        },
        150_000,
      );
      expect(run).toMatchObject({ state: 'SUCCEEDED', source: 'SCHEDULED_AGENT' });
      await request('POST', `/agent/schedules/${schedule.id}/pause`);
      const deleted = await request('DELETE', `/agent/schedules/${schedule.id}`);
      expect(deleted.body).toEqual({ success: true });
      await expect(platform.client.schedule.getHandle(schedule.id).describe()).rejects.toThrow();
    } finally {
      await api.close();
      await connection.close();
    }
  });
});
