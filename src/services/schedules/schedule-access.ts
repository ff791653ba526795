/**
 * Who sees and changes which schedule, after the environments' rules: schedules are team-scoped; personal ones
 * (scope User) are visible to their owner and to the team's admins; invisible ones answer 404. Changing a schedule
 * needs the `run` permission, since a schedule starts runs.
 */
import type { Principal } from '../../db/api-keys';
import type { Db } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { notFound } from '../app-error';
import { requirePermission } from '../permissions';

export function visibleSchedulesWhere(principal: Principal): Prisma.ScheduleWhereInput {
  if (principal.role === 'admin') return { teamId: principal.teamId };
  const own: Prisma.ScheduleWhereInput[] = [{ scope: 'Team' }];
  if (principal.userId !== null) own.push({ scope: 'User', ownerUserId: principal.userId });
  return { teamId: principal.teamId, OR: own };
}

export type ScheduleRow = Prisma.ScheduleGetPayload<object>;

type ScheduleReader = Pick<Db, 'schedule'> | Prisma.TransactionClient;

/** The schedule, or a 404 when it does not exist or the principal may not see it. */
export async function findVisibleSchedule(
  db: ScheduleReader,
  principal: Principal,
  scheduleId: string,
): Promise<ScheduleRow> {
  const row = await db.schedule.findFirst({ where: { AND: [{ id: scheduleId }, visibleSchedulesWhere(principal)] } });
  if (!row) throw notFound('Schedule', scheduleId);
  return row;
}

export function assertMayChangeSchedules(principal: Principal, verb: string): void {
  requirePermission(principal, 'run', `${verb} schedules`);
}
