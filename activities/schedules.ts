/**
 * The activity a schedule's firing runs first: the run row, with an id derived from (schedule, firing time), so a
 * retried activity or a repeated firing finds the run it already made instead of making a second one. The run
 * goes through the same creation path as API runs (`insertRun`), as its creator but with source SCHEDULED_AGENT
 * (so it never receives the creator's personal secrets).
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../src/db/api-keys';
import { AgentConfigSchema, MetadataSchema, type RunAgentRequest, type ScheduledRunResult } from '../src/domain';
import { AppError } from '../src/services/app-error';
import { insertRun } from '../src/services/start-run';
import type { ActivityDeps } from './deps';

export interface CreateScheduledRunInput {
  scheduleId: string;
  /** The firing's time (Temporal's scheduled start time), ISO. */
  scheduledAt: string;
}

/** One firing of one schedule always maps to the same run id. */
export function scheduledRunId(scheduleId: string, scheduledAt: string): string {
  const at = new Date(scheduledAt).toISOString();
  return `run_${createHash('sha256').update(`schedule\0${scheduleId}\0${at}`).digest('hex').slice(0, 24)}`;
}

export function createScheduleActivities(deps: ActivityDeps) {
  const { db, logger } = deps;
  return {
    async createScheduledRun(input: CreateScheduledRunInput): Promise<ScheduledRunResult> {
      const schedule = await db.schedule.findUnique({ where: { id: input.scheduleId } });
      if (!schedule) return { skipped: 'the schedule no longer exists' };
      const runId = scheduledRunId(schedule.id, input.scheduledAt);
      // The schedule acts as its creator, with a member's rights: it may use what its creator could see.
      const principal: Principal = {
        keyId: `schedule:${schedule.id}`,
        teamId: schedule.teamId,
        userId: schedule.createdByUserId,
        role: 'member',
        scope: schedule.createdByUserId ? 'personal' : 'team',
      };
      const config = AgentConfigSchema.safeParse(schedule.agentConfig ?? {});
      const metadata = MetadataSchema.safeParse(schedule.metadata ?? {});
      const request: RunAgentRequest = {
        title: schedule.name,
        source: 'SCHEDULED_AGENT',
        team: schedule.scope !== 'User',
        ...(schedule.prompt ? { prompt: schedule.prompt } : {}),
        ...(config.success && Object.keys(config.data).length > 0 ? { config: config.data } : {}),
        ...(metadata.success && Object.keys(metadata.data).length > 0 ? { metadata: metadata.data } : {}),
      };
      try {
        const result = await insertRun(deps, {
          principal,
          request,
          origin: {
            runId,
            scheduleId: schedule.id,
            schedule: {
              schedule_id: schedule.id,
              schedule_name: schedule.name,
              cron_schedule: schedule.cronSchedule,
            },
          },
        });
        await db.schedule.updateMany({
          where: { id: schedule.id },
          data: { lastRanAt: new Date(input.scheduledAt), lastRunId: runId, lastSpawnError: null },
        });
        if (result.created) logger.info({ scheduleId: schedule.id, runId }, 'scheduled run created');
        return { runId, state: result.response.state };
      } catch (err) {
        // A refusal (environment gone, personal schedule of a removed user...) is the schedule's problem to show,
        // not something a retry fixes.
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        logger.warn({ scheduleId: schedule.id, err: err.detail }, 'a schedule firing could not create its run');
        await db.schedule.updateMany({
          where: { id: schedule.id },
          data: { lastSpawnError: err.detail },
        });
        return { skipped: err.detail };
      }
    },
  };
}
