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
import { applyMigrations } from '../../src/db/migrate';

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

/** Starts an empty embedded database in a new temporary directory; `stop()` stops it and removes the directory. */
export async function createEmptyEmbeddedDatabase(): Promise<{ url: string; dataDir: string; stop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-pglite-'));
  const server = await startEmbeddedDatabase({ dataDir, port: 0 });
  return {
    url: server.url,
    dataDir,
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A migrated database of the given kind with a Prisma client on it. Call `close()` in afterAll/afterEach. */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const empty =
    kind === 'pglite'
      ? await createEmptyEmbeddedDatabase().then((e) => ({ url: e.url, dispose: () => e.stop() }))
      : await createEmptyPostgresDatabase().then((p) => ({ url: p.url, dispose: () => p.drop() }));
  try {
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
