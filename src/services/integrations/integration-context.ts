/** Integration rows as adapters see them, and the context adapters run with. */
import type { Logger } from 'pino';
import type { AppConfig } from '../../config';
import type { Db } from '../../db/client';
import type { Integration } from '../../generated/prisma/client';
import { API_PREFIX } from '../../api/constants';
import type { IntegrationContext, IntegrationRecord, IntegrationType } from '../../integrations/types';
import { readTeamSecret } from '../triggers/secrets';

function objectOf(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function toIntegrationRecord(row: Integration): IntegrationRecord {
  const refs: Record<string, string> = {};
  for (const [k, v] of Object.entries(objectOf(row.secretRefs))) if (typeof v === 'string') refs[k] = v;
  return {
    id: row.id,
    teamId: row.teamId,
    type: row.type as IntegrationType,
    name: row.name,
    enabled: row.enabled,
    config: objectOf(row.config),
    secretRefs: refs,
    remoteHookId: row.remoteHookId,
    createdByUserId: row.createdByUserId,
  };
}

/** The URL a service delivers this integration's events to. */
export function hookUrlOf(publicUrl: string, integrationId: string): string {
  return `${publicUrl}${API_PREFIX}/hooks/${encodeURIComponent(integrationId)}`;
}

export function integrationContext(
  deps: { db: Db; config: Pick<AppConfig, 'publicUrl' | 'dataDir' | 'secrets'>; logger: Logger },
  integration: IntegrationRecord,
  /** Secret values not stored yet (an integration being created registers before its transaction commits). */
  pendingSecrets: Record<string, string> = {},
): IntegrationContext {
  return {
    integration,
    async secret(role) {
      if (pendingSecrets[role] !== undefined) return pendingSecrets[role];
      const name = integration.secretRefs[role];
      if (!name) return undefined;
      return readTeamSecret(deps.db, deps.config, integration.teamId, name);
    },
    logger: deps.logger.child({ integrationId: integration.id, integrationType: integration.type }),
    publicUrl: deps.config.publicUrl,
    hookUrl: hookUrlOf(deps.config.publicUrl, integration.id),
    now: () => new Date(),
  };
}
