import type { ApiKeyItem } from './schemas';
import type { ApiKeyWithUser } from './api-key-access';

export function apiKeyStateOf(
  key: Pick<ApiKeyWithUser, 'revokedAt' | 'expiresAt'>,
  now: Date = new Date(),
): ApiKeyItem['state'] {
  if (key.revokedAt && key.revokedAt <= now) return 'revoked';
  if (key.expiresAt && key.expiresAt <= now) return 'expired';
  return 'active';
}

/** The wire shape of a key: never its hash, and the secret only in the creation response (added there). */
export function toApiKeyItem(key: ApiKeyWithUser, now: Date = new Date()): ApiKeyItem {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scope: key.scope === 'team' ? 'team' : 'personal',
    user: key.user ? { uid: key.user.id, display_name: key.user.displayName, email: key.user.email } : null,
    state: apiKeyStateOf(key, now),
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}
