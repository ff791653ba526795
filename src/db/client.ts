import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;

/** A Prisma client on the PostgreSQL driver adapter: used for PostgreSQL and for the embedded PGlite server alike. */
export function createDb(url: string, options: { maxConnections?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: url, max: options.maxConnections ?? 10 });
  return new PrismaClient({ adapter });
}
