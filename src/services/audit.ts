/**
 * The append-only audit log (table audit_events; the database refuses updates and deletes). Services call
 * `recordAudit` in the same transaction as the change it records, so a change and its audit entry land together.
 * `data` holds names and non-secret settings only, never a secret value.
 */
import type { Principal } from '../db/api-keys';
import type { Db } from '../db/client';
import type { Prisma } from '../generated/prisma/client';

export type AuditActorType = 'user' | 'service_account' | 'system' | 'trigger';

export interface AuditEntry {
  teamId: string;
  /** The caller; omit for system actions (schedules, reapers) and give `actorType`. */
  principal?: Principal | null;
  actorType?: AuditActorType;
  /** e.g. run.created, run.cancelled, run.steered, run.approval_decided, secret.created, secret.used, key.created */
  action: string;
  targetType: string;
  targetId: string;
  runId?: string | null;
  data?: Prisma.InputJsonObject;
}

/** Anything with the audit table: the client or an interactive transaction. */
type AuditWriter = Pick<Db, 'auditEvent'> | Prisma.TransactionClient;

export async function recordAudit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  const p = entry.principal ?? null;
  await db.auditEvent.create({
    data: {
      teamId: entry.teamId,
      actorType: entry.actorType ?? (p ? (p.userId ? 'user' : 'service_account') : 'system'),
      actorUserId: p?.userId ?? null,
      actorKeyId: p?.keyId ?? null,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      runId: entry.runId ?? null,
      data: entry.data ?? {},
    },
  });
}
