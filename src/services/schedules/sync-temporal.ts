/**
 * Changes a schedule row and its Temporal Schedule together: the row change and its audit entry commit only after
 * Temporal took the change; when the commit itself fails, Temporal gets the row as it was again (best effort).
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import type { Principal } from '../../db/api-keys';
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { SCHEDULE_TX_OPTIONS } from './create-schedule';
import { findVisibleSchedule, type ScheduleRow } from './schedule-access';
import { scheduleServiceError } from './temporal-errors';
import { createTemporalSchedule, deleteTemporalSchedule, updateTemporalSchedule } from './temporal-schedule';

export interface ScheduleChange {
  principal: Principal;
  scheduleId: string;
  /** Audit action, e.g. schedule.updated. */
  action: string;
  verb: string;
  /** The new column values, or null to delete the schedule. */
  change: (row: ScheduleRow) => Prisma.ScheduleUpdateInput | null;
  auditData?: (row: ScheduleRow) => Prisma.InputJsonObject;
}

/** Applies the row to Temporal: update, or create when Temporal lost it (self-repair). */
async function applyToTemporal(deps: ServiceDeps, row: ScheduleRow): Promise<void> {
  try {
    await updateTemporalSchedule(deps.temporal, deps.config, row);
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    deps.logger.warn({ scheduleId: row.id }, 'the Temporal schedule was missing; creating it again');
    await createTemporalSchedule(deps.temporal, deps.config, row);
  }
}

/** Returns the row after the change (undefined when deleted). */
export async function changeSchedule(deps: ServiceDeps, input: ScheduleChange): Promise<ScheduleRow | undefined> {
  const { db, temporal, logger } = deps;
  let before: ScheduleRow | undefined;
  let temporalChanged = false;
  try {
    return await db.$transaction(async (tx) => {
      const row = await findVisibleSchedule(tx, input.principal, input.scheduleId);
      before = row;
      const data = input.change(row);
      const after =
        data === null
          ? undefined
          : await tx.schedule.update({ where: { id: row.id }, data: { ...data, updatedAt: new Date() } });
      if (data === null) await tx.schedule.delete({ where: { id: row.id } });
      await recordAudit(tx, {
        teamId: row.teamId,
        principal: input.principal,
        action: input.action,
        targetType: 'schedule',
        targetId: row.id,
        data: input.auditData?.(after ?? row) ?? { name: (after ?? row).name },
      });
      try {
        if (after) await applyToTemporal(deps, after);
        else await deleteTemporalSchedule(temporal, row.id);
      } catch (err) {
        throw scheduleServiceError(err, input.verb);
      }
      temporalChanged = true;
      return after;
    }, SCHEDULE_TX_OPTIONS);
  } catch (err) {
    if (temporalChanged && before) {
      const restore = before;
      logger.error(
        { err, scheduleId: restore.id },
        'saving the schedule change failed; restoring its Temporal schedule',
      );
      await applyToTemporal(deps, restore).catch((restoreErr: unknown) =>
        logger.error({ err: restoreErr, scheduleId: restore.id }, 'restoring the Temporal schedule failed'),
      );
    }
    throw err;
  }
}
