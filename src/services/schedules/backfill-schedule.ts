import type { Principal } from '../../db/api-keys';
import type { BackfillScheduleRequest } from '../../domain';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { assertMayChangeSchedules, findVisibleSchedule } from './schedule-access';
import { scheduleServiceError } from './temporal-errors';
import { temporalOverlap } from './temporal-schedule';

/**
 * Takes every firing the cron expression has in [start_time, end_time) now, through Temporal's backfill. Each
 * firing makes its own run (ids derive from the schedule and the firing time, so a repeated backfill of the same
 * range makes no second run of a firing that already ran).
 */
export async function backfillSchedule(
  deps: ServiceDeps,
  input: { principal: Principal; scheduleId: string; request: BackfillScheduleRequest },
): Promise<{ schedule_id: string; start_time: string; end_time: string }> {
  const { principal, request } = input;
  // Looked up first: an invisible schedule is 404 for every role, a visible one 403 for viewers.
  const row = await findVisibleSchedule(deps.db, principal, input.scheduleId);
  assertMayChangeSchedules(principal, 'backfill');
  const start = new Date(request.start_time);
  const end = new Date(request.end_time);
  try {
    await deps.temporal.schedule
      .getHandle(row.id)
      .backfill({ start, end, overlap: temporalOverlap(request.overlap_policy ?? 'buffer_all') });
  } catch (err) {
    throw scheduleServiceError(err, 'backfill');
  }
  await recordAudit(deps.db, {
    teamId: row.teamId,
    principal,
    action: 'schedule.backfilled',
    targetType: 'schedule',
    targetId: row.id,
    data: { start_time: start.toISOString(), end_time: end.toISOString() },
  });
  deps.logger.info({ scheduleId: row.id, start, end }, 'schedule backfilled');
  return { schedule_id: row.id, start_time: start.toISOString(), end_time: end.toISOString() };
}
