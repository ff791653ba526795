/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL, or, when it is unset, to the embedded database
 * in AMBIT_DATA_DIR (started for the purpose and stopped after). Ambit also migrates at start-up; this is for
 * operators who want to migrate ahead of a deploy.
 */
import { loadConfig } from '../src/config';
import { startEmbeddedDatabase } from '../src/db/embedded';
import { applyMigrations } from '../src/db/migrate';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (message: string): void => console.log(message);
  let applied: string[];
  if (config.database.url) {
    log('Migrating the database at DATABASE_URL');
    ({ applied } = await applyMigrations({ url: config.database.url, log }));
  } else {
    const embedded = await startEmbeddedDatabase({
      dataDir: config.dataDir,
      port: config.database.embeddedPort,
      log,
    });
    try {
      ({ applied } = await applyMigrations({ url: embedded.url, log }));
    } finally {
      await embedded.stop();
    }
  }
  console.log(
    applied.length === 0
      ? 'The database is up to date; no migration was pending.'
      : `Applied ${applied.length} migration(s): ${applied.join(', ')}`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
