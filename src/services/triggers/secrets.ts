/**
 * Team secrets as integrations use them: read by name (webhook secrets, tokens) and written when an integration is
 * created with a value. Values are sealed with the secrets module's envelope encryption; nothing here logs them.
 */
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../config';
import type { Db } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { sealSecretValue } from '../../secrets/envelope';
import { readSecretValues } from '../../secrets/store';
import { masterKeyOf } from '../../secrets/keys';

type KeyConfig = Pick<AppConfig, 'dataDir' | 'secrets'>;

/** The value of the team secret `name`, or undefined when the team has none by that name. */
export async function readTeamSecret(
  db: Db,
  config: KeyConfig,
  teamId: string,
  name: string,
): Promise<string | undefined> {
  return (await readSecretValues(db, config, { teamId, names: [name], userId: null }))[name];
}

/** Creates the team secret `name`, or replaces its value when it exists. */
export async function putTeamSecret(
  tx: Prisma.TransactionClient,
  config: KeyConfig,
  input: { teamId: string; name: string; value: string; description?: string; userId: string | null },
): Promise<void> {
  const existing = await tx.secret.findUnique({
    where: { teamId_scope_ownerKey_name: { teamId: input.teamId, scope: 'Team', ownerKey: '', name: input.name } },
    select: { id: true },
  });
  const id = existing?.id ?? `sec_${randomBytes(12).toString('hex')}`;
  const sealed = sealSecretValue(masterKeyOf(config), id, input.value);
  if (existing) {
    await tx.secret.update({ where: { id }, data: { ...sealed, updatedAt: new Date() } });
    return;
  }
  await tx.secret.create({
    data: {
      id,
      teamId: input.teamId,
      scope: 'Team',
      ownerKey: '',
      name: input.name,
      description: input.description ?? null,
      ...sealed,
      createdByUserId: input.userId,
    },
  });
}
