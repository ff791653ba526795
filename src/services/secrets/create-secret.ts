import { randomBytes } from 'node:crypto';
import type { Principal } from '../../db/api-keys';
import { sealSecretValue } from '../../secrets/envelope';
import { masterKeyOf } from '../../secrets/keys';
import { rememberSecretValues } from '../../secrets/known-values';
import type { CreateSecretRequest, SecretItem } from '../../secrets/schemas';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { isUniqueViolation } from '../environments/environment-access';
import { assertMayWriteScope, secretOwnerKeyOf, SECRET_METADATA, secretNameTaken, toSecretItem } from './secret-access';

export function newSecretId(): string {
  return `sec_${randomBytes(12).toString('hex')}`;
}

export interface CreateSecretInput {
  principal: Principal;
  request: CreateSecretRequest;
}

/** Encrypts and stores a new secret; the answer holds its metadata only. */
export async function createSecret(
  deps: Pick<ServiceDeps, 'db' | 'logger' | 'config'>,
  input: CreateSecretInput,
): Promise<SecretItem> {
  const { db, logger, config } = deps;
  const { principal, request } = input;
  const scope = request.scope ?? 'Team';
  assertMayWriteScope(principal, scope, 'create');
  rememberSecretValues([request.value]);
  const id = newSecretId();
  const ownerUserId = scope === 'User' ? principal.userId : null;
  const sealed = sealSecretValue(masterKeyOf(config), id, request.value);
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await tx.secret.create({
        data: {
          id,
          teamId: principal.teamId,
          scope,
          ownerUserId,
          ownerKey: secretOwnerKeyOf(scope, ownerUserId),
          name: request.name,
          description: request.description ?? null,
          ...sealed,
          createdByUserId: principal.userId,
        },
        select: SECRET_METADATA,
      });
      await recordAudit(tx, {
        teamId: principal.teamId,
        principal,
        action: 'secret.created',
        targetType: 'secret',
        targetId: id,
        data: { name: request.name, scope },
      });
      return created;
    });
    logger.info({ secretId: id, teamId: principal.teamId, scope, name: request.name }, 'secret created');
    return toSecretItem(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw secretNameTaken(request.name, scope);
    throw err;
  }
}
