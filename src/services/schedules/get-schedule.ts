import type { Principal } from '../../db/api-keys';
import type { ScheduledAgentItem } from '../../domain';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { findVisibleSchedule } from './schedule-access';
import { toItem } from './schedule-item';

/** One schedule, with `history.next_run` from its Temporal Schedule. */
export async function getSchedule(
  deps: Pick<ServiceDeps, 'db' | 'temporal'>,
  input: { principal: Principal; scheduleId: string },
): Promise<ScheduledAgentItem> {
  requirePermission(input.principal, 'view', 'read schedules');
  const row = await findVisibleSchedule(deps.db, input.principal, input.scheduleId);
  return await toItem(deps.db, deps.temporal, row);
}
