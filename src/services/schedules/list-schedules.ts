import type { Principal } from '../../db/api-keys';
import type { ListSchedulesResponse } from '../../domain';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { visibleSchedulesWhere } from './schedule-access';
import { toScheduledAgentItems } from './schedule-item';

/** Every schedule visible to the key, newest change first (Oz's listing has no pages). */
export async function listSchedules(
  deps: Pick<ServiceDeps, 'db' | 'temporal'>,
  input: { principal: Principal },
): Promise<ListSchedulesResponse> {
  requirePermission(input.principal, 'view', 'list schedules');
  const rows = await deps.db.schedule.findMany({
    where: visibleSchedulesWhere(input.principal),
    orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
  });
  return { schedules: await toScheduledAgentItems(deps.db, deps.temporal, rows) };
}
