import type { Principal } from '../../db/api-keys';
import type { ScheduledAgentItem } from '../../domain';
import type { ServiceDeps } from '../deps';
import { assertMayChangeSchedules, findVisibleSchedule } from './schedule-access';
import { toItem } from './schedule-item';
import { changeSchedule } from './sync-temporal';

/** Pauses (enabled false) or resumes a schedule; Temporal takes no firing while paused. */
export async function setScheduleEnabled(
  deps: ServiceDeps,
  input: { principal: Principal; scheduleId: string; enabled: boolean },
): Promise<ScheduledAgentItem> {
  const verb = input.enabled ? 'resume' : 'pause';
  // Looked up first: an invisible schedule is 404 for every role, a visible one 403 for viewers.
  await findVisibleSchedule(deps.db, input.principal, input.scheduleId);
  assertMayChangeSchedules(input.principal, verb);
  const row = await changeSchedule(deps, {
    principal: input.principal,
    scheduleId: input.scheduleId,
    action: input.enabled ? 'schedule.resumed' : 'schedule.paused',
    verb,
    change: () => ({ enabled: input.enabled }),
  });
  return await toItem(deps.db, deps.temporal, row!);
}
