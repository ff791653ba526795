import type { Principal } from '../../db/api-keys';
import type { ListSecretsQuery, SecretItem, SecretList } from '../../secrets/schemas';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { findVisibleSecret, SECRET_METADATA, toSecretItem, visibleSecretsWhere } from './secret-access';

/** Names and metadata of the secrets this key may see (a team has tens of secrets, so no pagination). */
export async function listSecrets(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; query: ListSecretsQuery },
): Promise<SecretList> {
  const { principal, query } = input;
  requirePermission(principal, 'view', 'list secrets');
  const rows = await deps.db.secret.findMany({
    where: { AND: [visibleSecretsWhere(principal), ...(query.scope ? [{ scope: query.scope }] : [])] },
    select: SECRET_METADATA,
    orderBy: [{ name: 'asc' }, { scope: 'asc' }, { id: 'asc' }],
  });
  return { secrets: rows.map(toSecretItem) };
}

export async function getSecret(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; secretId: string },
): Promise<SecretItem> {
  requirePermission(input.principal, 'view', 'read secrets');
  return toSecretItem(await findVisibleSecret(deps.db, input.principal, input.secretId));
}
