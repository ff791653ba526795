import type { Principal } from '../../db/api-keys';
import type { Integration } from '../../generated/prisma/client';
import type { IntegrationItem, IntegrationList } from '../../integrations/schemas';
import { notFound } from '../app-error';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { toIntegrationItem } from './integration-item';

/** An integration of the principal's team; another team's answers 404 like a missing one. */
export async function findTeamIntegration(
  deps: Pick<ServiceDeps, 'db'>,
  principal: Principal,
  integrationId: string,
): Promise<Integration> {
  const row = await deps.db.integration.findFirst({ where: { id: integrationId, teamId: principal.teamId } });
  if (!row) throw notFound('Integration', integrationId);
  return row;
}

export async function getIntegration(
  deps: ServiceDeps,
  input: { principal: Principal; integrationId: string },
): Promise<IntegrationItem> {
  requirePermission(input.principal, 'view', 'read integrations');
  return toIntegrationItem(
    await findTeamIntegration(deps, input.principal, input.integrationId),
    deps.config.publicUrl,
  );
}

export async function listIntegrations(
  deps: ServiceDeps,
  input: { principal: Principal; type?: string },
): Promise<IntegrationList> {
  requirePermission(input.principal, 'view', 'read integrations');
  const rows = await deps.db.integration.findMany({
    where: { teamId: input.principal.teamId, ...(input.type ? { type: input.type } : {}) },
    orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }],
    take: 500,
  });
  return { integrations: rows.map((r) => toIntegrationItem(r, deps.config.publicUrl)) };
}
