/** An integration row as the API shows it: settings, secret names (never values), hook URL and status. */
import type { Integration } from '../../generated/prisma/client';
import { adapterFor } from '../../integrations';
import type { IntegrationItem } from '../../integrations/schemas';
import { hookUrlOf, toIntegrationRecord } from './integration-context';

export function integrationStatus(row: Integration): IntegrationItem['status'] {
  const errorIsLatest =
    row.lastErrorAt !== null && (row.lastEventAt === null || row.lastErrorAt.getTime() > row.lastEventAt.getTime());
  let registers = false;
  try {
    registers = adapterFor(row.type).register !== undefined;
  } catch {
    registers = false;
  }
  return {
    state: !row.enabled ? 'disabled' : errorIsLatest ? 'error' : 'connected',
    webhook_registered: registers && row.remoteHookId !== null,
    last_event_at: row.lastEventAt?.toISOString() ?? null,
    last_error: row.lastError,
    last_error_at: row.lastErrorAt?.toISOString() ?? null,
  };
}

export function toIntegrationItem(row: Integration, publicUrl: string, instructions?: string): IntegrationItem {
  const record = toIntegrationRecord(row);
  return {
    id: row.id,
    type: record.type,
    name: row.name,
    enabled: row.enabled,
    config: record.config,
    secret_refs: record.secretRefs,
    hook_url: hookUrlOf(publicUrl, row.id),
    status: integrationStatus(row),
    ...(instructions ? { instructions } : {}),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
