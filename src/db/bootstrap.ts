import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-keys';
import type { Db } from './client';

export const DEFAULT_TEAM_ID = 'default';
export const DEFAULT_TEAM_NAME = 'Default team';
export const ADMIN_USER_ID = 'admin';
export const ADMIN_DISPLAY_NAME = 'Admin';
export const DEV_API_KEY_FILE = 'dev-api-key';

/** Any fixed number both processes agree on: the API and the worker may bootstrap at the same moment. */
const BOOTSTRAP_LOCK_ID = 426_217_001;

const OptionsSchema = z.object({
  bootstrapApiKey: z
    .string()
    .min(24, 'bootstrapApiKey (AMBIT_BOOTSTRAP_API_KEY) must be at least 24 characters')
    .optional(),
  dataDir: z.string({ error: 'dataDir is required (AMBIT_DATA_DIR)' }).min(1),
});

export interface Defaults {
  teamId: string;
  userId: string;
  /** Set when a development key is in use: where it is, so the launcher can tell the user. */
  devKey?: { key: string; file: string };
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Makes sure a fresh installation is usable: the default team, its admin user and membership, and a key to call
 * the API with (the operator's AMBIT_BOOTSTRAP_API_KEY, or else a development key kept in `${dataDir}/dev-api-key`).
 * Safe to call on every start and from several processes at once.
 */
export async function ensureDefaults(
  db: Db,
  options: { bootstrapApiKey?: string; dataDir: string },
): Promise<Defaults> {
  const { bootstrapApiKey, dataDir } = OptionsSchema.parse(options);
  const devKeyFile = path.join(path.resolve(dataDir), DEV_API_KEY_FILE);
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK_ID}::bigint)`;
    // Created only when missing: an operator may have renamed the team or the user since.
    await tx.team.createMany({ data: [{ id: DEFAULT_TEAM_ID, name: DEFAULT_TEAM_NAME }], skipDuplicates: true });
    await tx.user.createMany({ data: [{ id: ADMIN_USER_ID, displayName: ADMIN_DISPLAY_NAME }], skipDuplicates: true });
    await tx.membership.createMany({
      data: [{ teamId: DEFAULT_TEAM_ID, userId: ADMIN_USER_ID, role: 'admin' }],
      skipDuplicates: true,
    });
    const defaults: Defaults = { teamId: DEFAULT_TEAM_ID, userId: ADMIN_USER_ID };

    if (bootstrapApiKey) {
      await tx.apiKey.createMany({
        data: [
          {
            id: `key_${crypto.randomUUID()}`,
            name: 'Bootstrap key (AMBIT_BOOTSTRAP_API_KEY)',
            prefix: apiKeyPrefix(bootstrapApiKey),
            hash: hashApiKey(bootstrapApiKey),
            teamId: DEFAULT_TEAM_ID,
            userId: ADMIN_USER_ID,
            scope: 'team',
          },
        ],
        skipDuplicates: true,
      });
      return defaults;
    }

    const existing = readDevKey(devKeyFile);
    if (existing && (await isUsable(tx, { hash: hashApiKey(existing) }))) {
      return { ...defaults, devKey: { key: existing, file: devKeyFile } };
    }
    if (await isUsable(tx, {})) return defaults;

    const generated = generateApiKey();
    await tx.apiKey.create({
      data: {
        id: `key_${crypto.randomUUID()}`,
        name: 'Development key',
        prefix: generated.prefix,
        hash: generated.hash,
        teamId: DEFAULT_TEAM_ID,
        userId: ADMIN_USER_ID,
        scope: 'team',
      },
    });
    writeSecretFile(devKeyFile, generated.key);
    return { ...defaults, devKey: { key: generated.key, file: devKeyFile } };
  });
}

/** Whether the default team has a key matching `where` that still works (not revoked, not expired). */
async function isUsable(tx: Tx, where: { hash?: string }): Promise<boolean> {
  const now = new Date();
  const key = await tx.apiKey.findFirst({
    where: {
      ...where,
      teamId: DEFAULT_TEAM_ID,
      OR: [{ revokedAt: null }, { revokedAt: { gt: now } }],
      AND: [{ OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }],
    },
    select: { id: true },
  });
  return key !== null;
}

function readDevKey(file: string): string | undefined {
  try {
    const key = fs.readFileSync(file, 'utf8').trim();
    return key.length > 0 ? key : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Written to a private temporary file then renamed, so the key is never readable by others, even briefly. */
function writeSecretFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, `${content}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
