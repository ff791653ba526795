import type { Principal } from '../../db/api-keys';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { findVisibleRun } from '../run-access';
import { auditPage } from './audit-page';
import type { AuditPageQuery, ListAuditResponse } from './schemas';

/** `GET /agent/runs/{id}/audit`: a run's own trail, oldest first, for anyone who may see the run. */
export async function listRunAuditEvents(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; runId: string; query: AuditPageQuery },
): Promise<ListAuditResponse> {
  const { principal, runId } = input;
  const run = await findVisibleRun(deps.db, principal, runId);
  requirePermission(principal, 'view', 'read runs');
  return auditPage(deps.db, { teamId: run.teamId, runId: run.id }, input.query, 'asc');
}
