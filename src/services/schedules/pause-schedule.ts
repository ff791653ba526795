import type { Principal } from '../../db/api-keys';
import type { ScheduledAgentItem } from '../../domain';
import type { ServiceDeps } from '../deps';
import { assertMayChangeSchedules } from './schedule-access';
import { toItem } from './schedule-item';
import { changeSchedule } from './sync-temporal';

/** Pauses (enabled false) or resumes a schedule; Temporal takes no firing while paused. */
export async function setScheduleEnabled(
  deps: ServiceDeps,
  input: { principal: Principal; scheduleId: string; enabled: boolean },
): Promise<ScheduledAgentItem> {
  const verb = input.enabled ? 'resume' : 'pause';
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
