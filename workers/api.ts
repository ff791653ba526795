/** The API process: `npm run api`. Applies pending migrations, ensures the default team and key, serves HTTP. */
import { ConfigError, loadConfig } from '../src/config';
import { ensureDefaults } from '../src/db/bootstrap';
import { createDb } from '../src/db/client';
import { applyMigrations } from '../src/db/migrate';
import { createLogger } from '../src/logger';
import { connectTemporalClient } from '../src/temporal/connection';
import { databaseUrl } from './build-deps';
import { serveApi } from './serve-api';
import { onShutdownSignal } from './signals';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'ambit-api');
  const url = databaseUrl(config);
  await applyMigrations({ url, log: (m) => logger.info(m) });
  const db = createDb(url);
  await ensureDefaults(db, { bootstrapApiKey: config.bootstrapApiKey, dataDir: config.dataDir });
  const { client, connection } = await connectTemporalClient(config);
  const api = await serveApi({ db, temporal: client, config, logger });
  logger.info({ url: api.url }, 'API listening');
  const stop = async () => {
    await api.close();
    await connection.close();
    await db.$disconnect();
  };
  onShutdownSignal(stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
