import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { z } from 'zod';

/**
 * The advisory lock id Prisma's own schema engine takes on PostgreSQL while migrating. Taking the same one means
 * `prisma migrate deploy` run by hand and Ambit's start-up migrator never interleave.
 */
const PRISMA_ADVISORY_LOCK_ID = 72707369;

/** Prisma's own bookkeeping table, column for column, so `prisma migrate status` agrees with what we applied. */
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const OptionsSchema = z.object({
  url: z
    .string({ error: 'url is required: a postgres:// connection URL' })
    .regex(/^postgres(ql)?:\/\//, 'url must be a postgres:// connection URL'),
  migrationsDir: z.string().min(1, 'migrationsDir must be a directory path').optional(),
});

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Finds prisma/migrations by walking up from this module, so it works from src/ (tsx) and from a build in dist/. */
export function defaultMigrationsDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'prisma', 'migrations');
    if (fs.existsSync(path.join(candidate, 'migration_lock.toml'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new MigrationError(
        `No prisma/migrations directory found above ${__dirname}; pass migrationsDir explicitly.`,
      );
    }
    dir = parent;
  }
}

/** Checksum as Prisma computes it: SHA-256 of the file's bytes, lowercase hex. */
export function migrationChecksum(sql: string | Buffer): string {
  return crypto.createHash('sha256').update(sql).digest('hex');
}

/** Reads `<dir>/<name>/migration.sql` for every migration folder, in name (timestamp) order. */
export function readMigrations(migrationsDir: string): MigrationFile[] {
  if (!fs.existsSync(migrationsDir)) {
    throw new MigrationError(`Migrations directory ${migrationsDir} does not exist.`);
  }
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(migrationsDir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const bytes = fs.readFileSync(path.join(migrationsDir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
}

/**
 * Applies the pending migrations in order, each in its own transaction, holding Prisma's advisory lock so that
 * processes starting together (API, worker) migrate once. Records each one in `_prisma_migrations` as Prisma does.
 * Throws a `MigrationError` naming a migration whose file changed after it was applied, or one that failed.
 */
export async function applyMigrations(options: {
  url: string;
  migrationsDir?: string;
  log?: (message: string) => void;
}): Promise<{ applied: string[] }> {
  const { url, migrationsDir: dirOption } = OptionsSchema.parse(options);
  const log = options.log ?? (() => undefined);
  const migrationsDir = dirOption ?? defaultMigrationsDir();
  const migrations = readMigrations(migrationsDir);

  const client = new Client({ connectionString: url });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_ID]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const done = await appliedMigrations(client);
      for (const m of migrations) {
        const row = done.get(m.name);
        if (row && row.checksum !== m.checksum) throw changedMigration(m.name, migrationsDir);
      }
      for (const m of migrations) {
        if (done.has(m.name)) continue;
        if (await applyOne(client, m, migrationsDir)) {
          applied.push(m.name);
          log(`applied migration ${m.name}`);
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_ID]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return { applied };
}

async function appliedMigrations(client: Client): Promise<Map<string, AppliedRow>> {
  // Prisma treats rows that never finished or were rolled back as not applied.
  const res = await client.query<AppliedRow>(
    `SELECT migration_name, checksum FROM "_prisma_migrations"
     WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  return new Map(res.rows.map((r) => [r.migration_name, r]));
}

/** Returns false when another process applied it first. */
async function applyOne(client: Client, m: MigrationFile, migrationsDir: string): Promise<boolean> {
  await client.query('BEGIN');
  try {
    // The embedded server runs every connection in one PostgreSQL session, where advisory locks do not exclude
    // each other; it does run one transaction at a time, so checking again inside the transaction is what keeps
    // two migrators from applying the same file there.
    const again = await client.query<AppliedRow>(
      `SELECT migration_name, checksum FROM "_prisma_migrations"
       WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      [m.name],
    );
    const existing = again.rows[0];
    if (existing) {
      await client.query('COMMIT');
      if (existing.checksum !== m.checksum) throw changedMigration(m.name, migrationsDir);
      return false;
    }
    // No parameters: pg sends it as a simple query, which may hold many statements.
    await client.query(m.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
      [crypto.randomUUID(), m.checksum, m.name],
    );
    await client.query('COMMIT');
    return true;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (err instanceof MigrationError) throw err;
    throw new MigrationError(
      `Migration ${m.name} failed and was rolled back: ${(err as Error).message}. Fix the database or the file ` +
        `${path.join(migrationsDir, m.name, 'migration.sql')} and start again.`,
    );
  }
}

function changedMigration(name: string, migrationsDir: string): MigrationError {
  return new MigrationError(
    `Migration ${name} was already applied to this database, but ${path.join(migrationsDir, name, 'migration.sql')} ` +
      'has changed since (checksum mismatch). Applied migrations must not be edited: restore the file and put the ' +
      'change in a new migration.',
  );
}
