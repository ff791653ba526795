/**
 * Deletes an integration after removing its webhook from the service. When the service cannot be reached the delete
 * is refused (so no webhook is orphaned) unless `force`, which deletes anyway and says the webhook remains.
 */
import type { Principal } from '../../db/api-keys';
import type { DeleteIntegrationResponse } from '../../integrations/schemas';
import { adapterFor } from '../../integrations';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { findTeamIntegration } from './get-integration';
import { integrationContext, toIntegrationRecord } from './integration-context';
import { serviceFailure } from './validate-integration';

export async function deleteIntegration(
  deps: ServiceDeps,
  input: { principal: Principal; integrationId: string; force?: boolean },
): Promise<DeleteIntegrationResponse> {
  const { db, logger } = deps;
  const { principal } = input;
  // Looked up first: another team's integration is 404 for every role, a visible one 403 for non-admins.
  const row = await findTeamIntegration(deps, principal, input.integrationId);
  requirePermission(principal, 'admin', 'delete integrations');
  const record = toIntegrationRecord(row);
  const adapter = adapterFor(record.type);
  let webhookRemoved = record.remoteHookId === null;
  if (record.remoteHookId && adapter.unregister) {
    try {
      await adapter.unregister(integrationContext(deps, record));
      webhookRemoved = true;
    } catch (err) {
      if (!input.force) throw serviceFailure(`removing the ${record.type} webhook (force=true deletes anyway)`, err);
      logger.warn({ err, integrationId: record.id }, 'deleting an integration whose webhook could not be removed');
    }
  }
  await db.$transaction(async (tx) => {
    await tx.integration.delete({ where: { id: record.id } });
    await recordAudit(tx, {
      teamId: principal.teamId,
      principal,
      action: 'integration.deleted',
      targetType: 'integration',
      targetId: record.id,
      data: { type: record.type, name: record.name, webhook_removed: webhookRemoved },
    });
  });
  return { id: record.id, deleted: true, webhook_removed: webhookRemoved };
}
