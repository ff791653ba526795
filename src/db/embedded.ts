import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { z } from 'zod';

/**
 * How many client connections the socket server accepts at once. PGlite runs one query at a time; the server's
 * queue keeps a connection that is inside a transaction as the only one served until it commits or rolls back,
 * so many connections are safe, they just wait their turn. Pools (API, worker, migrator) share this budget.
 */
export const EMBEDDED_MAX_CONNECTIONS = 32;

const OptionsSchema = z.object({
  dataDir: z.string({ error: 'dataDir must be a directory path (e.g. AMBIT_DATA_DIR)' }).min(1),
  port: z.number({ error: 'port must be a number (0 picks a free port)' }).int().min(0).max(65535),
});

/** Frontend messages of the extended query protocol that a Sync ('S') closes. */
const EXTENDED_PROTOCOL_MESSAGES = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);
const SIMPLE_QUERY = 'Q'.charCodeAt(0);

/**
 * The socket server queues each wire message separately and only keeps one connection's messages together while
 * PGlite reports an open transaction block. A driver's extended query (Parse, Bind, Describe, Execute, then Sync)
 * outside a transaction is not one, so two connections' messages interleave and PGlite's single session loses the
 * unnamed statement or portal (`portal "" does not exist`); Prisma through adapter-pg hits it with any pool above
 * one connection. Reporting "in a transaction" from the first extended message until its Sync makes the queue
 * serve that connection alone until the query completes, as a real server's separate sessions would.
 */
function keepExtendedQueriesTogether(db: PGlite): void {
  let inExtendedQuery = false;
  const isInTransaction = db.isInTransaction.bind(db);
  const execProtocolRawStream = db.execProtocolRawStream.bind(db);
  const exec = db.exec.bind(db);
  db.isInTransaction = () => inExtendedQuery || isInTransaction();
  db.execProtocolRawStream = async (message, options) => {
    const type = message[0];
    if (type !== undefined && EXTENDED_PROTOCOL_MESSAGES.has(type)) inExtendedQuery = true;
    try {
      return await execProtocolRawStream(message, options);
    } finally {
      if (type === SYNC || type === SIMPLE_QUERY) inExtendedQuery = false;
    }
  };
  // The queue's own clean-up when a connection drops mid-transaction; the dropped query will never see its Sync.
  db.exec = (query, options) => {
    inExtendedQuery = false;
    return exec(query, options);
  };
}

export interface EmbeddedDatabase {
  /** A postgres:// URL for pg, Prisma's adapter-pg or psql. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseError extends Error {
  override readonly name = 'EmbeddedDatabaseError';
}

/**
 * Starts PGlite (PostgreSQL in WebAssembly) with its files under `${dataDir}/pglite`, served over the PostgreSQL
 * wire protocol on 127.0.0.1:port so every process of Ambit reaches it like any PostgreSQL server.
 */
export async function startEmbeddedDatabase(options: {
  dataDir: string;
  port: number;
  log?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const { dataDir, port } = OptionsSchema.parse(options);
  const log = options.log ?? (() => undefined);
  const pgliteDir = path.join(path.resolve(dataDir), 'pglite');
  fs.mkdirSync(pgliteDir, { recursive: true });
  const lockFile = `${pgliteDir}.lock`;
  acquireLock(lockFile);

  let db: PGlite;
  try {
    db = await PGlite.create(pgliteDir);
  } catch (err) {
    releaseLock(lockFile);
    throw new EmbeddedDatabaseError(
      `Could not open the embedded database in ${pgliteDir}: ${(err as Error).message}. ` +
        'Another Ambit process may be using this data directory, or its files are damaged; stop the other process ' +
        'or point AMBIT_DATA_DIR elsewhere.',
    );
  }

  keepExtendedQueriesTogether(db);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port,
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close().catch(() => undefined);
    releaseLock(lockFile);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new EmbeddedDatabaseError(
        `Port ${port} on 127.0.0.1 is already in use, so the embedded database cannot listen there. ` +
          'Set AMBIT_EMBEDDED_DB_PORT to a free port (or 0 for any free port), or stop whatever holds it.',
      );
    }
    throw new EmbeddedDatabaseError(
      `The embedded database could not listen on port ${port}: ${(err as Error).message}`,
    );
  }

  const conn = server.getServerConn();
  const actualPort = Number(conn.slice(conn.lastIndexOf(':') + 1));
  const url = `postgres://postgres:postgres@127.0.0.1:${actualPort}/postgres`;
  fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, url }));
  log(`embedded database (PGlite) in ${pgliteDir} listening on 127.0.0.1:${actualPort}`);

  let stopped: Promise<void> | undefined;
  return {
    url,
    port: actualPort,
    stop() {
      stopped ??= (async () => {
        await server.stop();
        // Closing PGlite flushes its files; without it the next start may find an unclean shutdown.
        await db.close();
        releaseLock(lockFile);
        log('embedded database stopped');
      })();
      return stopped;
    },
  };
}

/**
 * PGlite has no lock of its own: two processes opening one data directory would corrupt it. The lock file names
 * the process holding it; one left by a process that died is taken over.
 */
function acquireLock(lockFile: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(lockFile);
    if (holder && isAlive(holder.pid)) {
      throw new EmbeddedDatabaseError(
        `The embedded database in ${path.dirname(lockFile)} is already in use by process ${holder.pid}` +
          `${holder.url ? ` (serving ${holder.url})` : ''}. Stop that process, connect to it with DATABASE_URL, ` +
          'or use another AMBIT_DATA_DIR.',
      );
    }
    fs.rmSync(lockFile, { force: true });
  }
  throw new EmbeddedDatabaseError(`Could not take the lock ${lockFile}; remove it if no Ambit process is running.`);
}

function readLock(lockFile: string): { pid: number; url?: string } | undefined {
  try {
    const parsed = z
      .object({ pid: z.number().int().positive(), url: z.string().optional() })
      .safeParse(JSON.parse(fs.readFileSync(lockFile, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseLock(lockFile: string): void {
  if (readLock(lockFile)?.pid === process.pid) fs.rmSync(lockFile, { force: true });
}
