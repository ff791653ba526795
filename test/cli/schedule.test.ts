/**
 * `ambit schedule ...` as a child process against the real API (real PostgreSQL and Temporal server): flags become
 * the schedule and its Temporal Schedule, update keeps what is not given (over the API's full replace), bad flags
 * are usage errors naming the flag before anything is sent.
 */
import { lines, runAmbit } from './spawn-cli';
import { createTeam, startHarness, type Harness, type TeamKeys } from '../api/helpers';

describe('ambit schedule', () => {
  let h: Harness;
  let team: TeamKeys;
  let env: Record<string, string>;
  const created: string[] = [];

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'cli-sched');
    env = { AMBIT_API_URL: h.url, AMBIT_API_KEY: team.member };
  });
  afterAll(async () => {
    for (const id of created) {
      await h.temporal.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
    await h?.close();
  });

  test('create, list, get, update, pause, resume, backfill and delete', async () => {
    const create = await runAmbit(
      [
        'schedule',
        'create',
        '--name',
        'nightly-deps',
        '--cron',
        '0 3 * * 1-5',
        '--prompt',
        'Check dependencies',
        '--timezone',
        'America/New_York',
        '--overlap',
        'buffer-one',
        '--catchup-window',
        '2h',
        '--model',
        'openai/gpt-4o',
        '--metadata',
        'team.name=infra',
        '-o',
        'json',
      ],
      env,
    );
    expect(create.stderr).toBe('');
    expect(create.code).toBe(0);
    const item = JSON.parse(create.stdout);
    created.push(item.id);
    expect(item).toMatchObject({
      name: 'nightly-deps',
      cron_schedule: '0 3 * * 1-5',
      prompt: 'Check dependencies',
      time_zone: 'America/New_York',
      overlap_policy: 'buffer_one',
      catchup_window_seconds: 7200,
      agent_config: { model_id: 'openai/gpt-4o' },
      metadata: { 'team.name': 'infra' },
      enabled: true,
    });
    const temporal = await h.temporal.schedule.getHandle(item.id).describe();
    expect(temporal.spec.timezone).toBe('America/New_York');
    expect(temporal.policies).toMatchObject({ overlap: 'BUFFER_ONE', catchupWindow: 7_200_000 });

    const list = await runAmbit(['schedule', 'list', '-o', 'text'], env);
    expect(list.code).toBe(0);
    expect(lines(list.stdout).find((l) => l.startsWith(item.id))).toContain('0 3 * * 1-5 America/New_York');

    const get = await runAmbit(['schedule', 'get', item.id], env);
    expect(get.stdout).toContain('Next run');
    expect(get.stdout).toContain('buffer-one');

    // Update changes only the cron; the rest stays (the CLI fills the full replace in).
    const update = await runAmbit(['schedule', 'update', item.id, '--cron', '*/30 * * * *', '-o', 'json'], env);
    expect(update.code).toBe(0);
    expect(JSON.parse(update.stdout)).toMatchObject({
      cron_schedule: '*/30 * * * *',
      prompt: 'Check dependencies',
      time_zone: 'America/New_York',
      overlap_policy: 'buffer_one',
      catchup_window_seconds: 7200,
      metadata: { 'team.name': 'infra' },
      agent_config: { model_id: 'openai/gpt-4o' },
    });
    expect((await h.temporal.schedule.getHandle(item.id).describe()).spec.timezone).toBe('America/New_York');

    const pause = await runAmbit(['schedule', 'pause', item.id, '-o', 'json'], env);
    expect(JSON.parse(pause.stdout).enabled).toBe(false);
    expect((await h.temporal.schedule.getHandle(item.id).describe()).state.paused).toBe(true);
    const resume = await runAmbit(['schedule', 'resume', item.id, '-o', 'text'], env);
    expect(lines(resume.stdout)).toEqual([item.id]);
    expect((await h.temporal.schedule.getHandle(item.id).describe()).state.paused).toBe(false);

    // Between two firings of */30: none to take, so no firing waits on the shared server for a worker.
    const backfill = await runAmbit(
      ['schedule', 'backfill', item.id, '--start', '2026-01-04T00:01:00Z', '--end', '2026-01-04T00:29:00Z'],
      env,
    );
    expect(backfill.code).toBe(0);
    expect(backfill.stdout).toContain(
      `Backfilling ${item.id} from 2026-01-04T00:01:00.000Z to 2026-01-04T00:29:00.000Z`,
    );

    const del = await runAmbit(['schedule', 'delete', item.id], env);
    expect(del.code).toBe(0);
    expect(del.stdout).toContain(`Deleted schedule ${item.id}`);
    const gone = await runAmbit(['schedule', 'get', item.id], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('does not exist');
  });

  test.each([
    [['--name', 'x', '--cron', '61 * * * *', '--prompt', 'p'], '--cron: minute field "61": Constraint error'],
    [['--name', 'x', '--cron', '* * *', '--prompt', 'p'], '--cron: must have 5 fields'],
    [['--cron', '* * * * *', '--prompt', 'p'], '--name is required'],
    [
      ['--name', 'x', '--cron', '* * * * *', '--prompt', 'p', '--overlap', 'cancel'],
      '--overlap must be one of skip, buffer-one, allow-all',
    ],
    [
      ['--name', 'x', '--cron', '* * * * *', '--prompt', 'p', '--timezone', 'Mars/Base'],
      '--timezone: time_zone must be an IANA',
    ],
    [
      ['--name', 'x', '--cron', '* * * * *', '--prompt', 'p', '--catchup-window', 'soon'],
      '--catchup-window must be a duration',
    ],
  ])('create %j is a usage error naming the flag, and creates nothing', async (args, message) => {
    const before = await h.db.schedule.count({ where: { teamId: team.teamId } });
    const res = await runAmbit(['schedule', 'create', ...args], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
    expect(await h.db.schedule.count({ where: { teamId: team.teamId } })).toBe(before);
  });
});
