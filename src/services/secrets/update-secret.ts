import type { Principal } from '../../db/api-keys';
import { sealSecretValue } from '../../secrets/envelope';
import { masterKeyOf } from '../../secrets/keys';
import { rememberSecretValues } from '../../secrets/known-values';
import type { SecretItem, UpdateSecretRequest } from '../../secrets/schemas';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { assertMayWriteSecret, findVisibleSecret, SECRET_METADATA, toSecretItem } from './secret-access';

export interface UpdateSecretInput {
  principal: Principal;
  secretId: string;
  request: UpdateSecretRequest;
}

/** Replaces the value (under a fresh data key) and/or the description. Runs already started keep the old value. */
export async function updateSecret(
  deps: Pick<ServiceDeps, 'db' | 'logger' | 'config'>,
  input: UpdateSecretInput,
): Promise<SecretItem> {
  const { db, logger, config } = deps;
  const { principal, secretId, request } = input;
  if (request.value !== undefined) rememberSecretValues([request.value]);
  const existing = await findVisibleSecret(db, principal, secretId);
  assertMayWriteSecret(principal, existing, 'update');
  const row = await db.$transaction(async (tx) => {
    const updated = await tx.secret.update({
      where: { id: existing.id },
      data: {
        ...(request.value !== undefined ? sealSecretValue(masterKeyOf(config), existing.id, request.value) : {}),
        ...(request.description !== undefined ? { description: request.description } : {}),
        updatedAt: new Date(),
      },
      select: SECRET_METADATA,
    });
    await recordAudit(tx, {
      teamId: existing.teamId,
      principal,
      action: 'secret.updated',
      targetType: 'secret',
      targetId: existing.id,
      data: {
        name: existing.name,
        scope: existing.scope,
        changed: [
          ...(request.value !== undefined ? ['value'] : []),
          ...(request.description !== undefined ? ['description'] : []),
        ],
      },
    });
    return updated;
  });
  logger.info({ secretId, teamId: existing.teamId, name: existing.name }, 'secret updated');
  return toSecretItem(row);
}
