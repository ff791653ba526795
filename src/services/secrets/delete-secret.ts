import type { Principal } from '../../db/api-keys';
import { notFound } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { isRecordNotFound } from '../environments/environment-access';
import { assertMayWriteSecret, findVisibleSecret } from './secret-access';

export interface DeleteSecretInput {
  principal: Principal;
  secretId: string;
}

export async function deleteSecret(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: DeleteSecretInput,
): Promise<{ id: string; deleted: true }> {
  const { db, logger } = deps;
  const { principal, secretId } = input;
  const existing = await findVisibleSecret(db, principal, secretId);
  assertMayWriteSecret(principal, existing, 'delete');
  try {
    await db.$transaction(async (tx) => {
      await tx.secret.delete({ where: { id: existing.id } });
      await recordAudit(tx, {
        teamId: existing.teamId,
        principal,
        action: 'secret.deleted',
        targetType: 'secret',
        targetId: existing.id,
        data: { name: existing.name, scope: existing.scope },
      });
    });
  } catch (err) {
    if (isRecordNotFound(err)) throw notFound('Secret', secretId);
    throw err;
  }
  logger.info({ secretId, teamId: existing.teamId, name: existing.name }, 'secret deleted');
  return { id: existing.id, deleted: true };
}
