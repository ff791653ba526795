import type { Principal } from '../../db/api-keys';
import type { Prisma } from '../../generated/prisma/client';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { API_KEY_INCLUDE, visibleApiKeysWhere } from './api-key-access';
import { toApiKeyItem } from './api-key-item';
import type { ListApiKeysQuery, ListApiKeysResponse } from './schemas';

/** Keys per team are few (people and automations), so the listing is one page, newest first. */
const MAX_KEYS_LISTED = 1000;

function stateWhere(state: ListApiKeysQuery['state'], now: Date): Prisma.ApiKeyWhereInput {
  const notRevoked: Prisma.ApiKeyWhereInput = { OR: [{ revokedAt: null }, { revokedAt: { gt: now } }] };
  switch (state) {
    case undefined:
      return {};
    case 'revoked':
      return { revokedAt: { lte: now } };
    case 'expired':
      return { AND: [notRevoked, { expiresAt: { lte: now } }] };
    case 'active':
      return { AND: [notRevoked, { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }] };
  }
}

/** Admins see every key of the team; everyone else their own personal keys. */
export async function listApiKeys(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; query: ListApiKeysQuery; now?: Date },
): Promise<ListApiKeysResponse> {
  const { principal, query } = input;
  const now = input.now ?? new Date();
  requirePermission(principal, 'view', 'list API keys');
  const rows = await deps.db.apiKey.findMany({
    where: {
      AND: [visibleApiKeysWhere(principal), query.scope ? { scope: query.scope } : {}, stateWhere(query.state, now)],
    },
    include: API_KEY_INCLUDE,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: MAX_KEYS_LISTED,
  });
  return { api_keys: rows.map((r) => toApiKeyItem(r, now)) };
}
