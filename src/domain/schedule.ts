/**
 * Scheduled agents: request and response shapes of `/api/v1/agent/schedules` (Oz's ScheduledAgentItem plus our
 * time zone, overlap and catch-up settings), and the checks of cron expressions and time zones they validate with.
 * The timing itself lives in a Temporal Schedule; nothing here computes firing times except for messages.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { AgentConfigSchema } from './agent-config';
import { RunCreatorSchema, ScopeSchema } from './agent-api';
import { CloudEnvironmentConfigSchema } from './environment';
import { MetadataSchema } from './run';

export const SCHEDULE_ID_PATTERN = /^sch_[0-9a-f]{24}$/;
export const SCHEDULE_NAME_MAX_LENGTH = 200;

/** How a firing that comes while the previous run still works is handled (Temporal's overlap policies). */
export const SCHEDULE_OVERLAP_POLICIES = ['skip', 'buffer_one', 'allow_all'] as const;
export type ScheduleOverlapPolicy = (typeof SCHEDULE_OVERLAP_POLICIES)[number];
/** A backfill may also queue every missed firing, one after the other. */
export const BACKFILL_OVERLAP_POLICIES = ['skip', 'buffer_one', 'buffer_all', 'allow_all'] as const;
export type BackfillOverlapPolicy = (typeof BACKFILL_OVERLAP_POLICIES)[number];

/** Temporal refuses catch-up windows under 10 s. */
export const MIN_CATCHUP_WINDOW_SECONDS = 10;
export const MAX_CATCHUP_WINDOW_SECONDS = 30 * 24 * 3600;
export const DEFAULT_CATCHUP_WINDOW_SECONDS = 3600;
/** A backfill covers at most a year of firings. */
export const MAX_BACKFILL_RANGE_MS = 366 * 24 * 3600 * 1000;

const CRON_FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const CRON_EXAMPLE = 'e.g. "0 9 * * 1-5" (09:00 on weekdays)';

/**
 * Checks a five-field cron expression (minute hour day-of-month month day-of-week) and says what is wrong with it:
 * which field, and the parser's reason. Undefined when it is valid.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    return (
      `must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}` +
      `${fields.length === 6 ? ' (seconds are not supported)' : ''}; ${CRON_EXAMPLE}`
    );
  }
  const whole = tryParse(fields.join(' '));
  if (whole === undefined) return undefined;
  // Name the first field that fails on its own (the others replaced by "*").
  for (let i = 0; i < fields.length; i++) {
    const alone = CRON_FIELDS.map((_, j) => (j === i ? fields[i] : '*')).join(' ');
    const reason = tryParse(alone);
    if (reason !== undefined) return `${CRON_FIELDS[i]} field "${fields[i]}": ${reason}; ${CRON_EXAMPLE}`;
  }
  return `${whole}; ${CRON_EXAMPLE}`;
}

function tryParse(expression: string): string | undefined {
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Whether the runtime knows the IANA time zone (e.g. Europe/Berlin, America/New_York, UTC). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const CronScheduleSchema = z
  .string({ error: 'cron_schedule is required: five fields, e.g. "0 9 * * *"' })
  .trim()
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((v) => v.split(/\s+/).join(' '));

export const TimeZoneSchema = z
  .string()
  .trim()
  .min(1, 'time_zone must not be empty; give an IANA zone such as "Europe/Berlin", or leave it out for UTC')
  .refine(isKnownTimeZone, {
    message: 'time_zone must be an IANA time zone such as "Europe/Berlin" or "America/New_York"',
  });

const ScheduleNameSchema = z
  .string({ error: 'name is required' })
  .trim()
  .min(1, 'name must not be empty')
  .max(SCHEDULE_NAME_MAX_LENGTH, `name is at most ${SCHEDULE_NAME_MAX_LENGTH} characters`);

const OverlapPolicySchema = z.enum(SCHEDULE_OVERLAP_POLICIES, {
  error: `overlap_policy must be one of ${SCHEDULE_OVERLAP_POLICIES.join(', ')}`,
});

const CatchupWindowSchema = z
  .number()
  .int('catchup_window_seconds must be a whole number of seconds')
  .min(MIN_CATCHUP_WINDOW_SECONDS, `catchup_window_seconds is at least ${MIN_CATCHUP_WINDOW_SECONDS}`)
  .max(MAX_CATCHUP_WINDOW_SECONDS, `catchup_window_seconds is at most ${MAX_CATCHUP_WINDOW_SECONDS} (30 days)`);

const scheduleFields = {
  name: ScheduleNameSchema,
  cron_schedule: CronScheduleSchema,
  prompt: z.string().max(200_000).optional(),
  agent_config: AgentConfigSchema.optional(),
  metadata: MetadataSchema.optional(),
  /** Ambit: the IANA zone the cron expression is read in (default UTC). */
  time_zone: TimeZoneSchema.optional(),
  /** Ambit: what a firing does while the previous run still works (default skip). */
  overlap_policy: OverlapPolicySchema.optional(),
  /** Ambit: firings missed while the platform was down are still taken if at most this old (default 3600). */
  catchup_window_seconds: CatchupWindowSchema.optional(),
};

const needsPrompt = {
  message: 'prompt is required unless agent_config.skill_spec is given',
  path: ['prompt'],
};
const hasPrompt = (r: {
  prompt?: string | undefined;
  agent_config?: { skill_spec?: string | undefined } | undefined;
}) => (r.prompt !== undefined && r.prompt.trim() !== '') || r.agent_config?.skill_spec !== undefined;

export const CreateScheduleRequestSchema = z
  .object({
    ...scheduleFields,
    enabled: z.boolean().optional(),
    /** Team-owned (default) or personal (needs a user key). */
    team: z.boolean().optional(),
  })
  .refine(hasPrompt, needsPrompt);
export type CreateScheduleRequest = z.infer<typeof CreateScheduleRequestSchema>;

/** PUT is a full replace: optional fields left out go back to their defaults. The scope cannot change. */
export const ReplaceScheduleRequestSchema = z
  .object({ ...scheduleFields, enabled: z.boolean({ error: 'enabled is required (true or false)' }) })
  .refine(hasPrompt, needsPrompt);
export type ReplaceScheduleRequest = z.infer<typeof ReplaceScheduleRequestSchema>;

export const BackfillScheduleRequestSchema = z
  .object({
    start_time: z.iso.datetime({ offset: true, error: 'start_time must be an RFC 3339 time' }),
    end_time: z.iso.datetime({ offset: true, error: 'end_time must be an RFC 3339 time' }),
    /** Default buffer_all: every firing in the range runs, one after the other. */
    overlap_policy: z
      .enum(BACKFILL_OVERLAP_POLICIES, {
        error: `overlap_policy must be one of ${BACKFILL_OVERLAP_POLICIES.join(', ')}`,
      })
      .optional(),
  })
  .refine((r) => Date.parse(r.start_time) < Date.parse(r.end_time), {
    message: 'end_time must be after start_time',
    path: ['end_time'],
  })
  .refine((r) => Date.parse(r.end_time) - Date.parse(r.start_time) <= MAX_BACKFILL_RANGE_MS, {
    message: 'a backfill covers at most 366 days; split longer ranges',
    path: ['end_time'],
  })
  .refine((r) => Date.parse(r.end_time) <= Date.now() + 60_000, {
    message: 'end_time must not be in the future: a backfill runs firings that were missed',
    path: ['end_time'],
  });
export type BackfillScheduleRequest = z.infer<typeof BackfillScheduleRequestSchema>;

export const ScheduleHistorySchema = z.object({
  last_ran: z.string().nullable(),
  /** Ambit: the run the last firing created. */
  last_run_id: z.string().nullable().optional(),
  next_run: z.string().nullable(),
});

export const ScheduledAgentItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  cron_schedule: z.string(),
  enabled: z.boolean(),
  prompt: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  last_spawn_error: z.string().nullable().optional(),
  agent_config: z.record(z.string(), z.unknown()).optional(),
  environment: CloudEnvironmentConfigSchema.optional(),
  created_by: RunCreatorSchema.optional(),
  history: ScheduleHistorySchema.optional(),
  scope: ScopeSchema.optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  time_zone: z.string().optional(),
  overlap_policy: z.enum(SCHEDULE_OVERLAP_POLICIES).optional(),
  catchup_window_seconds: z.number().int().optional(),
});
export type ScheduledAgentItem = z.infer<typeof ScheduledAgentItemSchema>;

export const ListSchedulesResponseSchema = z.object({ schedules: z.array(ScheduledAgentItemSchema) });
export type ListSchedulesResponse = z.infer<typeof ListSchedulesResponseSchema>;

export const DeleteScheduleResponseSchema = z.object({ success: z.boolean() });

export const BackfillScheduleResponseSchema = z.object({
  schedule_id: z.string(),
  start_time: z.string(),
  end_time: z.string(),
});

/** The workflow type a schedule's action starts (one per firing; it starts the run as its child). */
export const SCHEDULED_RUN_WORKFLOW_TYPE = 'scheduledRunWorkflow';

export interface ScheduledRunWorkflowInput {
  scheduleId: string;
}

/** The result of one firing: the run it created, or why it created none. */
export interface ScheduledRunResult {
  runId?: string;
  state?: string;
  skipped?: string;
}
