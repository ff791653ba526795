/**
 * Who sees and manages which API key. Everyone manages their own personal keys; team keys and other people's keys
 * are the admins'. A key of another team, or another person's key seen by a non-admin, answers 404.
 */
import type { Principal } from '../../db/api-keys';
import type { Db } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { notFound } from '../app-error';
import { can } from '../permissions';

export function visibleApiKeysWhere(principal: Principal): Prisma.ApiKeyWhereInput {
  if (can(principal, 'admin')) return { teamId: principal.teamId };
  // Without a user there is nothing of one's own; non-admin team keys do not exist (a team key acts as an admin).
  return { teamId: principal.teamId, scope: 'personal', userId: principal.userId ?? '\0none' };
}

export const API_KEY_INCLUDE = {
  user: { select: { id: true, displayName: true, email: true } },
} as const satisfies Prisma.ApiKeyInclude;

export type ApiKeyWithUser = Prisma.ApiKeyGetPayload<{ include: typeof API_KEY_INCLUDE }>;

export async function findVisibleApiKey(db: Db, principal: Principal, keyId: string): Promise<ApiKeyWithUser> {
  const key = await db.apiKey.findFirst({
    where: { AND: [{ id: keyId }, visibleApiKeysWhere(principal)] },
    include: API_KEY_INCLUDE,
  });
  if (!key) throw notFound('API key', keyId);
  return key;
}
