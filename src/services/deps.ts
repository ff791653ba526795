import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';

/** What the run services need; the API builds it once and passes it to every call. */
export interface ServiceDeps {
  db: Db;
  temporal: Client;
  config: AppConfig;
  logger: Logger;
}
