/**
 * Who sees and changes which secret. Team secrets: every member of the team sees their names and metadata; only
 * admins create, change or delete them. Personal secrets (scope User): visible to their owner and the team's
 * admins, managed by their owner (members and admins) and deletable by admins. Invisible secrets answer 404.
 */
import type { Principal } from '../../db/api-keys';
import type { Db } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import type { SecretItem, SecretScope } from '../../secrets/schemas';
import { AppError, notFound } from '../app-error';
import { requirePermission } from '../permissions';

export function visibleSecretsWhere(principal: Principal): Prisma.SecretWhereInput {
  if (principal.role === 'admin') return { teamId: principal.teamId };
  const own: Prisma.SecretWhereInput[] = [{ scope: 'Team' }];
  if (principal.userId !== null) own.push({ scope: 'User', ownerUserId: principal.userId });
  return { teamId: principal.teamId, OR: own };
}

/** The metadata columns: the value's columns are never selected where metadata is all that is needed. */
export const SECRET_METADATA = {
  id: true,
  teamId: true,
  scope: true,
  ownerUserId: true,
  name: true,
  description: true,
  createdByUserId: true,
  lastUsedAt: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.SecretSelect;

export type SecretMetadata = Prisma.SecretGetPayload<{ select: typeof SECRET_METADATA }>;

export function toSecretItem(row: SecretMetadata): SecretItem {
  return {
    id: row.id,
    name: row.name,
    ...(row.description !== null ? { description: row.description } : {}),
    scope:
      row.scope === 'User'
        ? { type: 'User', ...(row.ownerUserId ? { uid: row.ownerUserId } : {}) }
        : { type: 'Team', uid: row.teamId },
    ...(row.createdByUserId ? { created_by: row.createdByUserId } : {}),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    ...(row.lastUsedAt ? { last_used_at: row.lastUsedAt.toISOString() } : {}),
  };
}

export async function findVisibleSecret(db: Db, principal: Principal, secretId: string): Promise<SecretMetadata> {
  const row = await db.secret.findFirst({
    where: { AND: [{ id: secretId }, visibleSecretsWhere(principal)] },
    select: SECRET_METADATA,
  });
  if (!row) throw notFound('Secret', secretId);
  return row;
}

/** Team secrets need admin; personal ones need a user key allowed to run (members and admins). */
export function assertMayWriteScope(principal: Principal, scope: SecretScope, verb: string): void {
  if (scope === 'Team') {
    requirePermission(principal, 'admin', `${verb} team secrets`);
    return;
  }
  requirePermission(principal, 'run', `${verb} personal secrets`);
  if (principal.userId === null) {
    throw new AppError(
      'invalid_request',
      'scope: "User" means a personal secret, which needs a user API key; this key belongs to the team ' +
        '(send scope "Team")',
    );
  }
}

/** Changing an existing secret: its owner, or an admin (who may manage every secret of the team). */
export function assertMayWriteSecret(principal: Principal, row: SecretMetadata, verb: string): void {
  if (row.scope === 'Team') {
    requirePermission(principal, 'admin', `${verb} team secrets`);
    return;
  }
  if (principal.role === 'admin') return;
  requirePermission(principal, 'run', `${verb} personal secrets`);
  // Only admins and the owner see personal secrets, so reaching here means the caller owns it.
}

export function secretOwnerKeyOf(scope: SecretScope, ownerUserId: string | null): string {
  return scope === 'User' ? (ownerUserId ?? '') : '';
}

export function secretNameTaken(name: string, scope: SecretScope): AppError {
  const where = scope === 'User' ? 'among your personal secrets' : "among the team's secrets";
  return new AppError(
    'conflict',
    `name: a secret named ${name} already exists ${where}; update it (PATCH /api/v1/secrets/{id}) or choose another name`,
    { retryable: false, headers: { 'x-should-retry': 'false' } },
  );
}
