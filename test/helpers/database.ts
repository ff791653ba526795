/**
 * A fresh, migrated database per call, of either kind Ambit runs on: the embedded PGlite server or a real
 * PostgreSQL. Tests run their database code against both with `describe.each(DB_KINDS)`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createDb, type Db } from '../../src/db/client';
import { startEmbeddedDatabase } from '../../src/db/embedded';
import { applyMigrations, defaultMigrationsDir, readMigrations } from '../../src/db/migrate';

export const DB_KINDS = ['pglite', 'postgres'] as const;
export type DbKind = (typeof DB_KINDS)[number];

export interface TestDatabase {
  url: string;
  db: Db;
  close(): Promise<void>;
}

/** The real PostgreSQL server the suite uses (a maintenance database on it, e.g. .../postgres). */
export function testPostgresUrl(): string {
  const url = process.env['AMBIT_TEST_POSTGRES_URL'];
  if (!url) {
    throw new Error(
      'AMBIT_TEST_POSTGRES_URL is not set. Database tests need a real PostgreSQL: start one and set e.g. ' +
        'AMBIT_TEST_POSTGRES_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres',
    );
  }
  return url;
}

/** Creates an empty, uniquely named database on the test PostgreSQL server; `drop()` removes it. */
export async function createEmptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = testPostgresUrl();
  const name = `ambit_test_${Date.now().toString(36)}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Initializing a PGlite data directory takes seconds (initdb in WebAssembly) where copying one takes a fraction of
 * one, so each kind of starting point (empty, migrated) is built once per PGlite version and migration set, kept in
 * the OS temp directory for every test file and run, and copied for each test database.
 */
async function pgliteTemplate(migrated: boolean): Promise<string> {
  const pgliteDir = path.dirname(require.resolve('@electric-sql/pglite'));
  const { version } = JSON.parse(fs.readFileSync(path.join(pgliteDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const key = crypto
    .createHash('sha256')
    .update(version)
    .update(
      migrated
        ? readMigrations(defaultMigrationsDir())
            .map((m) => `${m.name}:${m.checksum}`)
            .join(',')
        : '',
    )
    .digest('hex')
    .slice(0, 16);
  const template = path.join(os.tmpdir(), `ambit-pglite-template-${migrated ? 'migrated' : 'empty'}-${key}`);
  if (fs.existsSync(path.join(template, 'ready'))) return template;

  const building = fs.mkdtempSync(`${template}.building-`);
  try {
    const server = await startEmbeddedDatabase({ dataDir: building, port: 0 });
    try {
      if (migrated) await applyMigrations({ url: server.url });
    } finally {
      await server.stop();
    }
  } catch (err) {
    fs.rmSync(building, { recursive: true, force: true });
    throw err;
  }
  fs.writeFileSync(path.join(building, 'ready'), '');
  try {
    fs.renameSync(building, template);
  } catch {
    // Another test process finished the same template first; theirs is as good as ours.
    fs.rmSync(building, { recursive: true, force: true });
  }
  return template;
}

async function startEmbeddedCopy(migrated: boolean): Promise<{ url: string; dataDir: string; stop(): Promise<void> }> {
  const template = await pgliteTemplate(migrated);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-pglite-'));
  let server: Awaited<ReturnType<typeof startEmbeddedDatabase>>;
  try {
    fs.cpSync(path.join(template, 'pglite'), path.join(dataDir, 'pglite'), { recursive: true });
    server = await startEmbeddedDatabase({ dataDir, port: 0 });
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: server.url,
    dataDir,
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts an embedded database with no tables in a new temporary directory; `stop()` stops it and removes it. */
export function createEmptyEmbeddedDatabase(): Promise<{ url: string; dataDir: string; stop(): Promise<void> }> {
  return startEmbeddedCopy(false);
}

/** A migrated database of the given kind with a Prisma client on it. Call `close()` in afterAll/afterEach. */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const empty =
    kind === 'pglite'
      ? await startEmbeddedCopy(true).then((e) => ({ url: e.url, dispose: () => e.stop() }))
      : await createEmptyPostgresDatabase().then((p) => ({ url: p.url, dispose: () => p.drop() }));
  try {
    // A no-op on the migrated PGlite copy, the real thing on PostgreSQL; either way the schema is current.
    await applyMigrations({ url: empty.url });
  } catch (err) {
    await empty.dispose();
    throw err;
  }
  const db = createDb(empty.url);
  let closed: Promise<void> | undefined;
  return {
    url: empty.url,
    db,
    close() {
      closed ??= (async () => {
        await db.$disconnect();
        await empty.dispose();
      })();
      return closed;
    },
  };
}
