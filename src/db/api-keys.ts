import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from './client';

export const API_KEY_PREFIX = 'ambit_';
const KEY_RANDOM_LENGTH = 40;
/** Characters of a key shown in listings: "ambit_" and six random characters, not enough to guess the rest. */
const SHOWN_PREFIX_LENGTH = 12;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Writing last_used_at on every request would turn each read into a write; once a minute is enough to audit. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const RoleSchema = z.enum(['admin', 'member', 'viewer']);
export type Role = z.infer<typeof RoleSchema>;
export const KeyScopeSchema = z.enum(['personal', 'team']);
export type KeyScope = z.infer<typeof KeyScopeSchema>;

/** Who is calling, as established from an API key. */
export interface Principal {
  keyId: string;
  teamId: string;
  userId: string | null;
  role: Role;
  scope: KeyScope;
}

export interface GeneratedApiKey {
  /** The secret, shown once to its owner and never stored. */
  key: string;
  prefix: string;
  hash: string;
}

/** A new key: `ambit_` and 40 base62 characters (about 238 bits) from the OS's cryptographic randomness. */
export function generateApiKey(): GeneratedApiKey {
  let random = '';
  while (random.length < KEY_RANDOM_LENGTH) {
    for (const byte of crypto.randomBytes(64)) {
      // Rejection sampling: 248 = 4 * 62, so bytes below it map onto base62 without bias.
      if (byte < 248 && random.length < KEY_RANDOM_LENGTH) random += BASE62[byte % 62];
    }
  }
  const key = API_KEY_PREFIX + random;
  return { key, prefix: apiKeyPrefix(key), hash: hashApiKey(key) };
}

/** SHA-256 hex of the whole key: what the database stores and looks keys up by. */
export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyPrefix(key: string): string {
  return key.slice(0, SHOWN_PREFIX_LENGTH);
}

/** Any non-empty bearer value is looked up by hash; keys set by operators need not have our format. */
const RawKeySchema = z.string().min(1).max(512);

/**
 * The principal an API key stands for, or null when the key is unknown, revoked, expired, or its user is no longer
 * a member of the key's team. A team key without a user acts as an admin of its team.
 */
export async function findPrincipalByApiKey(
  db: Db,
  rawKey: unknown,
  now: Date = new Date(),
): Promise<Principal | null> {
  const parsed = RawKeySchema.safeParse(rawKey);
  if (!parsed.success) return null;
  const key = await db.apiKey.findUnique({ where: { hash: hashApiKey(parsed.data) } });
  if (!key) return null;
  if (key.revokedAt && key.revokedAt <= now) return null;
  if (key.expiresAt && key.expiresAt <= now) return null;
  const scope = KeyScopeSchema.safeParse(key.scope);
  if (!scope.success) return null;

  let role: Role;
  if (key.userId) {
    const membership = await db.membership.findUnique({
      where: { teamId_userId: { teamId: key.teamId, userId: key.userId } },
    });
    const parsedRole = RoleSchema.safeParse(membership?.role);
    if (!parsedRole.success) return null;
    role = parsedRole.data;
  } else if (scope.data === 'team') {
    role = 'admin';
  } else {
    // A personal key belongs to a person; without one it grants nothing.
    return null;
  }

  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional, so concurrent requests with the same key write once.
    await db.apiKey.updateMany({
      where: {
        id: key.id,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }],
      },
      data: { lastUsedAt: now },
    });
  }
  return { keyId: key.id, teamId: key.teamId, userId: key.userId, role, scope: scope.data };
}
