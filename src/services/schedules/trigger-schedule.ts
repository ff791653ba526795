import type { Principal } from '../../db/api-keys';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { assertMayChangeSchedules, findVisibleSchedule } from './schedule-access';
import { scheduleServiceError } from './temporal-errors';
import { temporalOverlap } from './temporal-schedule';

/**
 * One firing now, under the schedule's own overlap policy (Temporal's trigger defaults to allow-all otherwise, and
 * such a firing would not count for the next one's skip). Works while paused.
 */
export async function triggerSchedule(
  deps: ServiceDeps,
  input: { principal: Principal; scheduleId: string },
): Promise<{ success: boolean }> {
  // Looked up first: an invisible schedule is 404 for every role, a visible one 403 for viewers.
  const row = await findVisibleSchedule(deps.db, input.principal, input.scheduleId);
  assertMayChangeSchedules(input.principal, 'trigger');
  try {
    await deps.temporal.schedule.getHandle(row.id).trigger(temporalOverlap(row.overlapPolicy));
  } catch (err) {
    throw scheduleServiceError(err, 'trigger');
  }
  await recordAudit(deps.db, {
    teamId: row.teamId,
    principal: input.principal,
    action: 'schedule.triggered',
    targetType: 'schedule',
    targetId: row.id,
    data: { name: row.name },
  });
  return { success: true };
}
