/**
 * `POST /api-keys/{id}/expire`: the key stops working now (revoked_at). Rows stay, so the audit log and listings
 * keep naming the key; expiring an expired or revoked key again changes nothing and answers the key as it is.
 */
import type { Principal } from '../../db/api-keys';
import type { ServiceDeps } from '../deps';
import { recordAudit } from '../audit';
import { requirePermission } from '../permissions';
import { API_KEY_INCLUDE, findVisibleApiKey } from './api-key-access';
import { apiKeyStateOf, toApiKeyItem } from './api-key-item';
import type { ApiKeyItem } from './schemas';

export async function expireApiKey(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: { principal: Principal; keyId: string; now?: Date },
): Promise<ApiKeyItem> {
  const { db, logger } = deps;
  const { principal, keyId } = input;
  const now = input.now ?? new Date();
  const key = await findVisibleApiKey(db, principal, keyId);
  const own = key.scope === 'personal' && key.userId !== null && key.userId === principal.userId;
  if (!own)
    requirePermission(
      principal,
      'admin',
      key.scope === 'team' ? 'expire team API keys' : "expire other people's API keys",
    );
  if (apiKeyStateOf(key, now) !== 'active') return toApiKeyItem(key, now);

  const row = await db.$transaction(async (tx) => {
    const updated = await tx.apiKey.updateMany({
      where: { id: key.id, OR: [{ revokedAt: null }, { revokedAt: { gt: now } }] },
      data: { revokedAt: now },
    });
    if (updated.count === 1) {
      await recordAudit(tx, {
        teamId: principal.teamId,
        principal,
        action: 'api_key.expired',
        targetType: 'api_key',
        targetId: key.id,
        data: { name: key.name, prefix: key.prefix, scope: key.scope, user_id: key.userId },
      });
    }
    return tx.apiKey.findUniqueOrThrow({ where: { id: key.id }, include: API_KEY_INCLUDE });
  });
  logger.info({ keyId: key.id, teamId: principal.teamId }, 'API key expired');
  return toApiKeyItem(row, now);
}
