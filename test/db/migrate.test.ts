import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyMigrations, defaultMigrationsDir, migrationChecksum, readMigrations } from '../../src/db/migrate';
import { createEmptyEmbeddedDatabase, createEmptyPostgresDatabase, DB_KINDS, type DbKind } from '../helpers/database';

async function emptyDatabase(kind: DbKind): Promise<{ url: string; dispose(): Promise<void> }> {
  if (kind === 'pglite') {
    const e = await createEmptyEmbeddedDatabase();
    return { url: e.url, dispose: () => e.stop() };
  }
  const p = await createEmptyPostgresDatabase();
  return { url: p.url, dispose: () => p.drop() };
}

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A copy of the real migrations folder that a test may change without touching the repository. */
function copyOfMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-migrations-'));
  fs.cpSync(defaultMigrationsDir(), dir, { recursive: true });
  return dir;
}

function addMigration(dir: string, name: string, sql: string): void {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, 'migration.sql'), sql);
}

const committed = readMigrations(defaultMigrationsDir());

describe('committed migrations', () => {
  it('are laid out as Prisma expects, with a postgresql lock file and a timestamped init migration', () => {
    const dir = defaultMigrationsDir();
    expect(fs.readFileSync(path.join(dir, 'migration_lock.toml'), 'utf8')).toMatch(/^provider = "postgresql"$/m);
    expect(committed.length).toBeGreaterThan(0);
    expect(committed[0]?.name).toMatch(/^\d{14}_init$/);
  });
});

describe.each(DB_KINDS)('applyMigrations on %s', (kind) => {
  let db: { url: string; dispose(): Promise<void> };
  const tempDirs: string[] = [];

  beforeEach(async () => {
    db = await emptyDatabase(kind);
  });
  afterEach(async () => {
    await db.dispose();
    for (const d of tempDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('applies every migration and records it in _prisma_migrations as Prisma does', async () => {
    const logs: string[] = [];
    const result = await applyMigrations({ url: db.url, log: (m) => logs.push(m) });

    expect(result.applied).toEqual(committed.map((m) => m.name));
    expect(logs.join('\n')).toContain(committed[0]?.name);
    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      applied_steps_count: number;
      id: string;
    }>(db.url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(committed.map((m) => m.name));
    for (const [i, row] of rows.entries()) {
      const file = fs.readFileSync(path.join(defaultMigrationsDir(), row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(migrationChecksum(file));
      expect(row.checksum).toBe(committed[i]?.checksum);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const tables = await query<{ table_name: string }>(
      db.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['teams', 'users', 'memberships', 'api_keys', 'runs', 'run_events', 'artifacts']),
    );
    const indexes = await query<{ indexdef: string }>(
      db.url,
      "SELECT indexdef FROM pg_indexes WHERE indexname = 'runs_metadata_idx'",
    );
    expect(indexes[0]?.indexdef).toContain('gin (metadata jsonb_path_ops)');
  });

  it('does nothing the second time', async () => {
    await applyMigrations({ url: db.url });

    const second = await applyMigrations({ url: db.url });

    expect(second.applied).toEqual([]);
    const rows = await query(db.url, 'SELECT 1 FROM "_prisma_migrations"');
    expect(rows).toHaveLength(committed.length);
  });

  it('applies each migration once when two processes migrate at the same moment', async () => {
    const [a, b] = await Promise.all([applyMigrations({ url: db.url }), applyMigrations({ url: db.url })]);

    expect([...a.applied, ...b.applied].sort()).toEqual(committed.map((m) => m.name));
    const rows = await query(db.url, 'SELECT 1 FROM "_prisma_migrations"');
    expect(rows).toHaveLength(committed.length);
  });

  it('applies a migration added later, after the ones already applied', async () => {
    const dir = copyOfMigrations();
    tempDirs.push(dir);
    await applyMigrations({ url: db.url, migrationsDir: dir });
    addMigration(dir, '29991231000000_add_note', 'ALTER TABLE "teams" ADD COLUMN "note" TEXT;');

    const result = await applyMigrations({ url: db.url, migrationsDir: dir });

    expect(result.applied).toEqual(['29991231000000_add_note']);
    const cols = await query<{ column_name: string }>(
      db.url,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'teams' AND column_name = 'note'",
    );
    expect(cols).toHaveLength(1);
  });

  it('rejects an applied migration whose file changed, naming it', async () => {
    const dir = copyOfMigrations();
    tempDirs.push(dir);
    await applyMigrations({ url: db.url, migrationsDir: dir });
    const name = committed[0]!.name;
    fs.appendFileSync(path.join(dir, name, 'migration.sql'), '\n-- edited after it was applied\n');

    await expect(applyMigrations({ url: db.url, migrationsDir: dir })).rejects.toThrow(
      new RegExp(`Migration ${name} was already applied .* has changed`),
    );
  });

  it('rolls a failing migration back entirely and names it', async () => {
    const dir = copyOfMigrations();
    tempDirs.push(dir);
    addMigration(dir, '29991231000000_broken', 'CREATE TABLE "half_done" (id INT);\nSELECT * FROM "no_such_table";');

    await expect(applyMigrations({ url: db.url, migrationsDir: dir })).rejects.toThrow(
      /Migration 29991231000000_broken failed and was rolled back: .*no_such_table/,
    );

    const halfDone = await query(db.url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
    expect(halfDone).toHaveLength(0);
    const rows = await query<{ migration_name: string }>(db.url, 'SELECT migration_name FROM "_prisma_migrations"');
    expect(rows.map((r) => r.migration_name)).toEqual(committed.map((m) => m.name));
  });
});

describe('applyMigrations input', () => {
  it('names the url option when it is not a postgres URL', async () => {
    await expect(applyMigrations({ url: 'mysql://localhost/x' })).rejects.toThrow(/postgres:\/\//);
  });
});
