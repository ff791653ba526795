import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;

/** A Prisma client on the PostgreSQL driver adapter: used for PostgreSQL and for the embedded PGlite server alike. */
export function createDb(url: string, options: { maxConnections?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: url, max: options.maxConnections ?? 10 });
  return new PrismaClient({ adapter, transactionOptions: TRANSACTION_OPTIONS });
}

/**
 * Prisma's defaults (wait 2 s for a connection, 5 s per interactive transaction) are tuned for a server with
 * parallel sessions. The embedded PGlite runs one transaction at a time for every process, so a burst of
 * transactions queues there; waiting longer for a turn keeps such bursts from failing. Harmless on PostgreSQL.
 */
const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 15_000 } as const;
