/**
 * `npm run secrets:rotate`: re-wraps every secret from AMBIT_MASTER_KEY_PREVIOUS to AMBIT_MASTER_KEY.
 *
 *   1. Create the new key: `openssl rand -base64 32`.
 *   2. Run this with AMBIT_MASTER_KEY=<new> AMBIT_MASTER_KEY_PREVIOUS=<old> (and DATABASE_URL).
 *   3. Restart Ambit with AMBIT_MASTER_KEY=<new>; keep AMBIT_MASTER_KEY_PREVIOUS set until every process has
 *      restarted (processes read secrets wrapped by either key), then remove it.
 *
 * Without AMBIT_MASTER_KEY_PREVIOUS, the development key file under the data directory is the previous key (moving
 * a development install to a configured key). Transactional and idempotent: run it again after any failure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import { startEmbeddedDatabase } from '../src/db/embedded';
import { keyFingerprint } from '../src/secrets/crypto';
import { DEV_MASTER_KEY_FILE } from '../src/secrets/keys';
import { rotateMasterKey } from '../src/secrets/rotate';

async function main(): Promise<void> {
  const config = loadConfig();
  const to = config.secrets.masterKey;
  if (!to) {
    throw new ConfigError('AMBIT_MASTER_KEY (the new key) is required; create one with `openssl rand -base64 32`');
  }
  let from = config.secrets.previousMasterKey;
  if (!from) {
    const devFile = path.join(config.dataDir, DEV_MASTER_KEY_FILE);
    if (!fs.existsSync(devFile)) {
      throw new ConfigError('AMBIT_MASTER_KEY_PREVIOUS (the key the secrets are wrapped by now) is required');
    }
    from = Buffer.from(fs.readFileSync(devFile, 'utf8').trim(), 'base64');
    console.log(`Re-wrapping from the development key in ${devFile}`);
  }
  let embedded: Awaited<ReturnType<typeof startEmbeddedDatabase>> | undefined;
  if (!config.database.url) {
    embedded = await startEmbeddedDatabase({ dataDir: config.dataDir, port: config.database.embeddedPort });
  }
  // (Not build-deps' databaseUrl: that module loads the integrations, which this command does not need.)
  const db = createDb(embedded?.url ?? config.database.url ?? '', { maxConnections: 2 });
  try {
    const result = await rotateMasterKey(db, { from, to });
    console.log(
      `Re-wrapped ${result.rewrapped} secret(s) from key ${keyFingerprint(from)} to ${result.currentKeyId}; ` +
        `${result.alreadyCurrent} already used it.`,
    );
  } finally {
    await db.$disconnect();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
