import type { Principal } from '../../db/api-keys';
import type { ServiceDeps } from '../deps';
import { assertMayChangeSchedules, findVisibleSchedule } from './schedule-access';
import { changeSchedule } from './sync-temporal';

/** Deletes the row and its Temporal Schedule; runs it already started go on. */
export async function deleteSchedule(
  deps: ServiceDeps,
  input: { principal: Principal; scheduleId: string },
): Promise<{ success: boolean }> {
  // Looked up first: an invisible schedule is 404 for every role, a visible one 403 for viewers.
  await findVisibleSchedule(deps.db, input.principal, input.scheduleId);
  assertMayChangeSchedules(input.principal, 'delete');
  await changeSchedule(deps, {
    principal: input.principal,
    scheduleId: input.scheduleId,
    action: 'schedule.deleted',
    verb: 'delete',
    change: () => null,
  });
  deps.logger.info({ scheduleId: input.scheduleId }, 'schedule deleted');
  return { success: true };
}
