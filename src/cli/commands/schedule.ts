import { type Command } from 'commander';
import { z } from 'zod';
import {
  BackfillScheduleRequestSchema,
  BACKFILL_OVERLAP_POLICIES,
  CreateScheduleRequestSchema,
  ReplaceScheduleRequestSchema,
  SCHEDULE_OVERLAP_POLICIES,
  type CreateScheduleRequest,
  type ReplaceScheduleRequest,
  type ScheduledAgentItem,
} from '../../domain';
import { type CliIO, type CliState, type CommandContext, commandContext } from '../context';
import { UsageError } from '../errors';
import { parseFlags } from '../flags';
import { shortTime, truncate } from '../output';
import { parseMetadataPairs } from '../ci';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Request fields → the flag that sets them, so the API's own checks name what the user typed. */
const FIELD_FLAGS: Record<string, string> = {
  name: '--name',
  cron_schedule: '--cron',
  prompt: '--prompt',
  time_zone: '--timezone',
  overlap_policy: '--overlap',
  catchup_window_seconds: '--catchup-window',
  agent_config: '--model/--environment',
  'agent_config.model_id': '--model',
  'agent_config.environment_id': '--environment',
  metadata: '--metadata',
  start_time: '--start',
  end_time: '--end',
};

function checkRequest<S extends z.ZodType>(schema: S, request: unknown): z.output<S> {
  const parsed = schema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const flag = FIELD_FLAGS[path] ?? FIELD_FLAGS[String(issue.path[0])] ?? path;
  throw new UsageError(`${flag}: ${issue.message}`);
}

/** `buffer-one` on the command line is `buffer_one` on the wire. */
const overlapFlag = <T extends readonly string[]>(values: T) =>
  z
    .preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase().replace(/-/g, '_') : v),
      z.enum(values, { error: `must be one of ${values.map((v) => v.replace(/_/g, '-')).join(', ')}` }),
    )
    .optional();

const DURATION = /^(\d+)\s*(s|m|h|d)?$/i;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90`, `90s`, `10m`, `1h`, `2d` → seconds. */
export function parseDurationSeconds(value: string): number | undefined {
  const m = DURATION.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[(m[2] ?? 's').toLowerCase()]!;
}

const catchupFlag = z
  .string()
  .transform((v, ctx) => {
    const seconds = parseDurationSeconds(v);
    if (seconds === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration such as 90s, 10m, 1h or 2d' });
      return z.NEVER;
    }
    return seconds;
  })
  .optional();

const ScheduleFlagsSchema = z.object({
  name: z.string().optional(),
  cron: z.string().optional(),
  prompt: z.string().optional(),
  timezone: z.string().optional(),
  overlap: overlapFlag(SCHEDULE_OVERLAP_POLICIES),
  catchupWindow: catchupFlag,
  environment: z.string().optional(),
  model: z.string().optional(),
  configName: z.string().optional(),
  metadata: z.array(z.string()).default([]),
  disabled: z.boolean().default(false),
  personal: z.boolean().default(false),
});
type ScheduleFlags = z.output<typeof ScheduleFlagsSchema>;

const FLAG_NAMES = { catchupWindow: '--catchup-window', configName: '--config-name' };

function agentConfigOf(f: ScheduleFlags, base: Record<string, unknown> = {}): Record<string, unknown> | undefined {
  const config: Record<string, unknown> = { ...base };
  if (f.model !== undefined) config['model_id'] = f.model;
  if (f.environment !== undefined) config['environment_id'] = f.environment;
  if (f.configName !== undefined) config['name'] = f.configName;
  return Object.keys(config).length > 0 ? config : undefined;
}

function withScheduleOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'what the schedule is called')
    .option('--cron <expression>', 'five fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"')
    .option('--prompt <prompt>', 'what each run should do')
    .option('--timezone <zone>', 'IANA time zone the cron expression is read in (default UTC), e.g. Europe/Berlin')
    .option(
      '--overlap <policy>',
      'when a firing comes while the last run still works: skip (default), buffer-one, allow-all',
    )
    .option(
      '--catchup-window <duration>',
      'firings missed while the platform was down are still taken within this, e.g. 1h',
    )
    .option('-e, --environment <id>', 'environment the runs use')
    .option('-m, --model <model_id>', 'model as <provider>/<model>')
    .option('--config-name <name>', 'config name given to the runs (`ambit runs list --name`)')
    .option('--metadata <KEY=VALUE>', 'metadata every run gets (repeatable)', collect);
}

function printSchedule(ctx: CommandContext, s: ScheduledAgentItem, verb?: string): void {
  const { out } = ctx;
  if (out.structured) return out.json(s);
  if (out.format === 'text') {
    if (verb) return out.line(s.id);
    out.line(`Schedule: ${s.id}`);
  } else {
    out.line(
      verb
        ? `${out.paint('green', '✓')} ${verb} schedule ${out.paint('bold', s.id)} (${s.name})`
        : `${out.paint('bold', 'Schedule')} ${out.paint('bold', s.id)}`,
    );
  }
  const fields: [string, string | undefined][] = [
    ['Name', s.name],
    ['Cron', `${s.cron_schedule} (${s.time_zone ?? 'UTC'})`],
    ['Enabled', s.enabled ? 'yes' : 'no (paused)'],
    ['Prompt', out.format === 'pretty' ? truncate(s.prompt, 100) : s.prompt],
    ['Overlap', s.overlap_policy?.replace(/_/g, '-')],
    ['Catch-up', s.catchup_window_seconds !== undefined ? `${s.catchup_window_seconds}s` : undefined],
    ['Environment', s.agent_config?.['environment_id'] as string | undefined],
    ['Model', s.agent_config?.['model_id'] as string | undefined],
    ['Next run', shortTime(s.history?.next_run) || undefined],
    ['Last ran', s.history?.last_ran ? `${shortTime(s.history.last_ran)} (${s.history.last_run_id ?? ''})` : undefined],
    ['Last error', s.last_spawn_error ?? undefined],
  ];
  for (const [k, v] of fields) {
    if (v === undefined || v === '') continue;
    out.line(out.format === 'text' ? `${k}: ${v}` : `  ${out.paint('dim', k.padEnd(12))} ${v}`);
  }
}

export function registerScheduleCommands(program: Command, io: CliIO, state: CliState): void {
  const schedule = program
    .command('schedule')
    .description('Scheduled agents: a run at every firing of a cron expression (on Temporal Schedules).')
    .addHelpText(
      'after',
      `
Examples:
  $ ambit schedule create --name nightly-deps --cron "0 3 * * *" --prompt "Check dependencies" --timezone Europe/Berlin
  $ ambit schedule list
  $ ambit schedule pause sch_123
  $ ambit schedule backfill sch_123 --start 2026-05-01T00:00:00Z --end 2026-05-02T00:00:00Z`,
    );

  withScheduleOptions(schedule.command('create').description('Create a schedule (team-wide unless --personal).'))
    .option('--disabled', 'create it paused')
    .option('--personal', 'visible only to you (and team admins)')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const f = parseFlags(ScheduleFlagsSchema, opts, FLAG_NAMES);
      if (f.name === undefined) throw new UsageError('--name is required, e.g. --name nightly-deps');
      if (f.cron === undefined) throw new UsageError('--cron is required, e.g. --cron "0 9 * * 1-5"');
      const config = agentConfigOf(f);
      const request: CreateScheduleRequest = checkRequest(CreateScheduleRequestSchema, {
        name: f.name,
        cron_schedule: f.cron,
        ...(f.prompt !== undefined ? { prompt: f.prompt } : {}),
        ...(f.timezone !== undefined ? { time_zone: f.timezone } : {}),
        ...(f.overlap !== undefined ? { overlap_policy: f.overlap } : {}),
        ...(f.catchupWindow !== undefined ? { catchup_window_seconds: f.catchupWindow } : {}),
        ...(config ? { agent_config: config } : {}),
        ...(f.metadata.length > 0 ? { metadata: parseMetadataPairs(f.metadata) } : {}),
        ...(f.disabled ? { enabled: false } : {}),
        ...(f.personal ? { team: false } : {}),
      });
      printSchedule(ctx, await ctx.client.schedules.create(request), 'Created');
    });

  schedule
    .command('list')
    .description('List schedules with their next firing.')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const { schedules } = await ctx.client.schedules.list();
      const { out } = ctx;
      if (out.format === 'json') return out.json({ schedules });
      if (out.format === 'ndjson') {
        for (const s of schedules) out.json(s);
        return;
      }
      if (schedules.length === 0 && out.format === 'pretty') {
        out.line(
          out.paint('dim', 'No schedules. Create one with: ambit schedule create --name <name> --cron "<cron>"'),
        );
        return;
      }
      out.table(
        ['ID', 'NAME', 'CRON', 'ENABLED', 'NEXT RUN', 'LAST RAN'],
        schedules.map((s) => [
          s.id,
          out.format === 'text' ? s.name : truncate(s.name, 32),
          s.time_zone && s.time_zone !== 'UTC' ? `${s.cron_schedule} ${s.time_zone}` : s.cron_schedule,
          s.enabled ? 'yes' : 'paused',
          shortTime(s.history?.next_run),
          shortTime(s.history?.last_ran),
        ]),
      );
    });

  schedule
    .command('get')
    .description('Show one schedule with its history.')
    .argument('<id>', 'schedule id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      printSchedule(ctx, await ctx.client.schedules.get(id));
    });

  withScheduleOptions(
    schedule
      .command('update')
      .description('Change a schedule; what is not given stays as it is.')
      .argument('<id>', 'schedule id'),
  )
    .option('--enable', 'resume it')
    .option('--disable', 'pause it')
    .action(async (id: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const f = parseFlags(ScheduleFlagsSchema, opts, FLAG_NAMES);
      if (opts['enable'] && opts['disable']) throw new UsageError('--enable and --disable conflict: give one of them');
      const current = await ctx.client.schedules.get(id);
      const config = agentConfigOf(f, current.agent_config ?? {});
      // The API replaces the whole schedule, so the current values fill in what was not given.
      const request: ReplaceScheduleRequest = checkRequest(ReplaceScheduleRequestSchema, {
        name: f.name ?? current.name,
        cron_schedule: f.cron ?? current.cron_schedule,
        enabled: opts['enable'] ? true : opts['disable'] ? false : current.enabled,
        prompt: f.prompt ?? current.prompt,
        time_zone: f.timezone ?? current.time_zone,
        overlap_policy: f.overlap ?? current.overlap_policy,
        catchup_window_seconds: f.catchupWindow ?? current.catchup_window_seconds,
        ...(config ? { agent_config: config } : {}),
        metadata: f.metadata.length > 0 ? parseMetadataPairs(f.metadata) : (current.metadata ?? {}),
      });
      printSchedule(ctx, await ctx.client.schedules.replace(id, request), 'Updated');
    });

  for (const [verb, done, description] of [
    ['pause', 'Paused', 'Pause a schedule: no firing until it is resumed.'],
    ['resume', 'Resumed', 'Resume a paused schedule.'],
  ] as const) {
    schedule
      .command(verb)
      .description(description)
      .argument('<id>', 'schedule id')
      .action(async (id: string, _opts: unknown, cmd: Command) => {
        const ctx = commandContext(cmd, io, state);
        printSchedule(ctx, await ctx.client.schedules[verb](id), done);
      });
  }

  schedule
    .command('trigger')
    .description("Fire once now (under the schedule's overlap policy); the run shows in `ambit runs list`.")
    .argument('<id>', 'schedule id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      await ctx.client.schedules.trigger(id);
      const { out } = ctx;
      if (out.structured) out.json({ id, triggered: true });
      else if (out.format === 'text') out.line(id);
      else
        out.line(
          `${out.paint('green', '✓')} Fired ${out.paint('bold', id)}; see its run: ambit runs list --source SCHEDULED_AGENT`,
        );
    });

  schedule
    .command('delete')
    .description('Delete a schedule (runs already started go on).')
    .argument('<id>', 'schedule id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      await ctx.client.schedules.delete(id);
      const { out } = ctx;
      if (out.structured) out.json({ id, deleted: true });
      else if (out.format === 'text') out.line(id);
      else out.line(`${out.paint('yellow', '■')} Deleted schedule ${out.paint('bold', id)}`);
    });

  schedule
    .command('backfill')
    .description('Run every firing of a past range now (one after the other unless --overlap says otherwise).')
    .argument('<id>', 'schedule id')
    .option('--start <time>', 'RFC 3339 start of the range, e.g. 2026-05-01T00:00:00Z')
    .option('--end <time>', 'RFC 3339 end of the range (not in the future)')
    .option('--overlap <policy>', 'buffer-all (default), allow-all, buffer-one or skip')
    .action(async (id: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const f = parseFlags(
        z.object({
          start: z.string({ error: 'is required, e.g. --start 2026-05-01T00:00:00Z' }),
          end: z.string({ error: 'is required, e.g. --end 2026-05-02T00:00:00Z' }),
          overlap: overlapFlag(BACKFILL_OVERLAP_POLICIES),
        }),
        opts,
        {},
      );
      const request = checkRequest(BackfillScheduleRequestSchema, {
        start_time: f.start,
        end_time: f.end,
        ...(f.overlap ? { overlap_policy: f.overlap } : {}),
      });
      const result = await ctx.client.schedules.backfill(id, request);
      const { out } = ctx;
      if (out.structured) out.json(result);
      else if (out.format === 'text') out.line(id);
      else out.line(`${out.paint('green', '✓')} Backfilling ${id} from ${result.start_time} to ${result.end_time}`);
    });
}
