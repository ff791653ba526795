/**
 * Creates a schedule: the row and its Temporal Schedule (same id) together. The row and its audit entry are
 * written in a transaction that commits only after Temporal accepted the schedule, so a refused or unreachable
 * scheduler leaves nothing behind; a failed commit removes the Temporal schedule again.
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '../../db/api-keys';
import { DEFAULT_CATCHUP_WINDOW_SECONDS, type CreateScheduleRequest, type ScheduledAgentItem } from '../../domain';
import type { Prisma } from '../../generated/prisma/client';
import { AppError } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { findVisibleEnvironment } from '../environments/environment-access';
import { assertMayChangeSchedules } from './schedule-access';
import { toItem } from './schedule-item';
import { scheduleServiceError } from './temporal-errors';
import { createTemporalSchedule, deleteTemporalSchedule } from './temporal-schedule';

export function newScheduleId(): string {
  return `sch_${randomBytes(12).toString('hex')}`;
}

/** A transaction that waits on Temporal holds its connection for that call; allow for a slow scheduler. */
export const SCHEDULE_TX_OPTIONS = { timeout: 20_000, maxWait: 10_000 } as const;

/** Checks the config's environment is visible to the caller (the schedule's runs will use it). */
export async function checkScheduleConfig(
  deps: Pick<ServiceDeps, 'db'>,
  principal: Principal,
  agentConfig: CreateScheduleRequest['agent_config'],
): Promise<void> {
  if (agentConfig?.environment_id !== undefined) {
    await findVisibleEnvironment(deps.db, principal, agentConfig.environment_id, 'agent_config.environment_id');
  }
}

export async function createSchedule(
  deps: ServiceDeps,
  input: { principal: Principal; request: CreateScheduleRequest },
): Promise<ScheduledAgentItem> {
  const { db, temporal, config, logger } = deps;
  const { principal, request } = input;
  assertMayChangeSchedules(principal, 'create');
  const team = request.team ?? true;
  if (!team && principal.userId === null) {
    throw new AppError(
      'invalid_request',
      'team: false creates a personal schedule, which needs a user API key; this key belongs to the team ' +
        '(send team: true)',
    );
  }
  await checkScheduleConfig(deps, principal, request.agent_config);
  const data = {
    id: newScheduleId(),
    teamId: principal.teamId,
    scope: team ? 'Team' : 'User',
    ownerUserId: team ? null : principal.userId,
    createdByUserId: principal.userId,
    name: request.name,
    cronSchedule: request.cron_schedule,
    timeZone: request.time_zone ?? 'UTC',
    prompt: request.prompt ?? null,
    enabled: request.enabled ?? true,
    agentConfig: (request.agent_config ?? undefined) as Prisma.InputJsonValue | undefined,
    metadata: request.metadata ?? {},
    overlapPolicy: request.overlap_policy ?? 'skip',
    catchupWindowSeconds: request.catchup_window_seconds ?? DEFAULT_CATCHUP_WINDOW_SECONDS,
  };
  let temporalCreated = false;
  let row;
  try {
    row = await db.$transaction(async (tx) => {
      const created = await tx.schedule.create({ data });
      await recordAudit(tx, {
        teamId: principal.teamId,
        principal,
        action: 'schedule.created',
        targetType: 'schedule',
        targetId: created.id,
        data: { name: created.name, cron_schedule: created.cronSchedule, time_zone: created.timeZone },
      });
      try {
        await createTemporalSchedule(temporal, config, created);
      } catch (err) {
        throw scheduleServiceError(err, 'create');
      }
      temporalCreated = true;
      return created;
    }, SCHEDULE_TX_OPTIONS);
  } catch (err) {
    if (temporalCreated) {
      logger.error({ err, scheduleId: data.id }, 'saving the schedule failed; removing its Temporal schedule');
      await deleteTemporalSchedule(temporal, data.id).catch((deleteErr: unknown) =>
        logger.error({ err: deleteErr, scheduleId: data.id }, 'removing the Temporal schedule failed'),
      );
    }
    throw err;
  }
  logger.info({ scheduleId: row.id, teamId: principal.teamId }, 'schedule created');
  return await toItem(db, temporal, row);
}
