/**
 * Server-side reads of secret values: what a run receives, and what integrations and model providers read by
 * name. Values leave this module only as plaintext for in-process use; callers never log or return them.
 *
 * Which secrets a run gets: every team secret, plus the personal secrets of the user who triggered it. Scheduled
 * runs (source SCHEDULED_AGENT) and runs without a triggering user never get personal secrets. A personal secret
 * overrides a team secret of the same name.
 */
import type { Db } from '../db/client';
import type { Prisma } from '../generated/prisma/client';
import { openSecretValue } from './envelope';
import { masterKeysOf, type KeyConfig } from './keys';
import { rememberSecretValues } from './known-values';

type Reader = Pick<Db, 'secret'> | Prisma.TransactionClient;

export interface RunSecretsSubject {
  id: string;
  teamId: string;
  creatorUserId: string | null;
  source: string;
}

export interface ResolvedSecret {
  id: string;
  name: string;
  scope: 'Team' | 'User';
  value: string;
}

/** Whether a run may receive its creator's personal secrets. */
export function personalSecretsAllowed(run: Pick<RunSecretsSubject, 'creatorUserId' | 'source'>): boolean {
  return run.creatorUserId !== null && run.source !== 'SCHEDULED_AGENT';
}

async function readScoped(
  db: Reader,
  cfg: KeyConfig,
  where: { teamId: string; userId: string | null; names?: readonly string[] },
): Promise<ResolvedSecret[]> {
  const scopes: Prisma.SecretWhereInput[] = [{ scope: 'Team' }];
  if (where.userId !== null) scopes.push({ scope: 'User', ownerUserId: where.userId });
  const rows = await db.secret.findMany({
    where: { teamId: where.teamId, OR: scopes, ...(where.names ? { name: { in: [...where.names] } } : {}) },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
  });
  const keys = masterKeysOf(cfg);
  const byName = new Map<string, ResolvedSecret>();
  for (const row of rows) {
    const scope = row.scope === 'User' ? 'User' : 'Team';
    const existing = byName.get(row.name);
    if (existing && existing.scope === 'User') continue;
    byName.set(row.name, { id: row.id, name: row.name, scope, value: openSecretValue(keys, row) });
  }
  const resolved = [...byName.values()];
  rememberSecretValues(resolved.map((s) => s.value));
  return resolved;
}

/**
 * Plaintext values of the named team secrets (and, with `userId`, that user's personal ones), keyed by name.
 * Names without a secret are absent from the result.
 */
export async function readSecretValues(
  db: Reader,
  cfg: KeyConfig,
  query: { teamId: string; names: readonly string[]; userId?: string | null },
): Promise<Record<string, string>> {
  if (query.names.length === 0) return {};
  const secrets = await readScoped(db, cfg, { teamId: query.teamId, userId: query.userId ?? null, names: query.names });
  return Object.fromEntries(secrets.map((s) => [s.name, s.value]));
}

/** The secrets a run's environment receives (see the module comment for the rule). */
export async function resolveRunSecrets(db: Reader, cfg: KeyConfig, run: RunSecretsSubject): Promise<ResolvedSecret[]> {
  return readScoped(db, cfg, {
    teamId: run.teamId,
    userId: personalSecretsAllowed(run) ? run.creatorUserId : null,
  });
}
