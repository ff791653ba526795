import type { Principal } from '../../db/api-keys';
import type { Prisma } from '../../generated/prisma/client';
import { AppError } from '../app-error';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { auditPage } from './audit-page';
import type { ListAuditQuery, ListAuditResponse } from './schemas';

/** `GET /audit`: the team's audit log, newest first, for admins. */
export async function listAuditEvents(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; query: ListAuditQuery },
): Promise<ListAuditResponse> {
  const { principal, query } = input;
  requirePermission(principal, 'admin', 'read the audit log');
  const since = query.since === undefined ? undefined : new Date(query.since);
  const until = query.until === undefined ? undefined : new Date(query.until);
  if (since && until && since >= until) {
    throw new AppError('invalid_request', 'since: must be before until; swap them or widen the window');
  }
  const where: Prisma.AuditEventWhereInput = {
    teamId: principal.teamId,
    ...(query.action !== undefined ? { action: query.action } : {}),
    ...(query.actor_user_id !== undefined ? { actorUserId: query.actor_user_id } : {}),
    ...(query.target_type !== undefined ? { targetType: query.target_type } : {}),
    ...(query.target_id !== undefined ? { targetId: query.target_id } : {}),
    ...(query.run_id !== undefined ? { runId: query.run_id } : {}),
    ...(since || until ? { createdAt: { ...(since ? { gte: since } : {}), ...(until ? { lt: until } : {}) } } : {}),
  };
  return auditPage(deps.db, where, query, 'desc');
}
