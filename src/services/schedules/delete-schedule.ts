import type { Principal } from '../../db/api-keys';
import type { ServiceDeps } from '../deps';
import { assertMayChangeSchedules } from './schedule-access';
import { changeSchedule } from './sync-temporal';

/** Deletes the row and its Temporal Schedule; runs it already started go on. */
export async function deleteSchedule(
  deps: ServiceDeps,
  input: { principal: Principal; scheduleId: string },
): Promise<{ success: boolean }> {
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
