/**
 * Who sees which run. Runs are team-scoped: a key sees only its own team's runs. Personal runs (scope User) are
 * visible to their creator and to the team's admins. Everything else answers 404, so ids of invisible runs leak
 * nothing.
 */
import type { Db } from '../db/client';
import type { Principal } from '../db/api-keys';
import type { Prisma } from '../generated/prisma/client';
import { notFound } from './app-error';
import { requirePermission } from './permissions';

export function visibleRunsWhere(principal: Principal): Prisma.RunWhereInput {
  if (principal.role === 'admin') return { teamId: principal.teamId };
  const own: Prisma.RunWhereInput[] = [{ scopeType: 'Team' }];
  if (principal.userId !== null) own.push({ creatorUserId: principal.userId });
  return { teamId: principal.teamId, OR: own };
}

export const RUN_ITEM_INCLUDE = {
  artifacts: { orderBy: [{ createdAt: 'asc' }, { uid: 'asc' }] },
  creator: { select: { id: true, displayName: true, email: true } },
} as const satisfies Prisma.RunInclude;

export type RunWithRelations = Prisma.RunGetPayload<{ include: typeof RUN_ITEM_INCLUDE }>;

/** The run with its artifacts and creator, or a 404 when it does not exist or the principal may not see it. */
export async function findVisibleRun(db: Db, principal: Principal, runId: string): Promise<RunWithRelations> {
  requirePermission(principal, 'view', 'read runs');
  const run = await db.run.findFirst({
    where: { AND: [{ id: runId }, visibleRunsWhere(principal)] },
    include: RUN_ITEM_INCLUDE,
  });
  if (!run) throw notFound('Run', runId);
  return run;
}
