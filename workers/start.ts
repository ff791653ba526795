/**
 * `npm start`: the whole platform on embedded defaults, in one command. Starts what is not configured to be
 * external: the Temporal dev server (unless TEMPORAL_ADDRESS), the embedded PGlite database (unless
 * DATABASE_URL); then applies migrations, ensures a key, and runs a worker and the API in this process.
 * Ctrl-C stops everything it started; data stays under AMBIT_DATA_DIR, so the next start finds earlier runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { ensureDefaults } from '../src/db/bootstrap';
import { createDb } from '../src/db/client';
import { startEmbeddedDatabase } from '../src/db/embedded';
import { applyMigrations } from '../src/db/migrate';
import { resolveTemporalCli, startTemporalDevServer } from '../src/launcher/temporal-cli';
import { createLogger } from '../src/logger';
import { connectTemporalClient, connectTemporalWorker, waitForTemporal } from '../src/temporal/connection';
import { buildActivityDeps, databaseUrl, dockerClient } from './build-deps';
import { startReaper } from './reaper';
import { startWorkers } from './run-worker';
import { installTemporalRuntime } from './runtime';
import { serveApi } from './serve-api';
import { onShutdownSignal } from './signals';

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'ambit');
  installTemporalRuntime(logger, config.logLevel);
  fs.mkdirSync(config.dataDir, { recursive: true });
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping Ambit ...');
    for (const s of stops.reverse()) {
      try {
        await s.stop();
      } catch (err) {
        logger.warn({ err, component: s.name }, 'error while stopping');
      }
    }
    say('Stopped.');
    process.exit(code);
  };
  onShutdownSignal(() => stopAll(0));

  try {
    say(`Starting Ambit (data in ${config.dataDir})`);
    if (!config.database.url) {
      const embedded = await startEmbeddedDatabase({ dataDir: config.dataDir, port: config.database.embeddedPort });
      stops.push({ name: 'database', stop: () => embedded.stop() });
      say(`  database   embedded PGlite on 127.0.0.1:${embedded.port} (${path.join(config.dataDir, 'pglite')})`);
    } else {
      say('  database   DATABASE_URL');
    }
    const url = databaseUrl(config);
    const migrated = await applyMigrations({ url });
    if (migrated.applied.length) say(`  migrations applied: ${migrated.applied.join(', ')}`);

    let temporalUi = config.temporal.uiUrl;
    if (!config.temporal.address) {
      const cliPath = await resolveTemporalCli({
        explicitPath: config.temporal.cliPath,
        toolsDir: path.resolve('.tools'),
        onProgress: (m) => say(`  ${m}`),
      });
      const server = await startTemporalDevServer({
        cliPath,
        port: config.temporal.localPort,
        uiPort: config.temporal.localUiPort,
        dbFile: path.join(config.dataDir, 'temporal.db'),
        logFile: path.join(config.dataDir, 'temporal.log'),
        namespace: config.temporal.namespace,
      });
      stops.push({ name: 'temporal', stop: () => server.stop() });
      temporalUi = server.uiUrl ?? temporalUi;
      say(`  temporal   dev server on ${server.address} (${cliPath})`);
    } else {
      say(`  temporal   ${config.temporal.address} (namespace ${config.temporal.namespace})`);
    }
    await waitForTemporal(config);

    const db = createDb(url);
    stops.push({ name: 'db client', stop: () => db.$disconnect() });
    const defaults = await ensureDefaults(db, { bootstrapApiKey: config.bootstrapApiKey, dataDir: config.dataDir });

    const docker = dockerClient(config);
    if (docker) {
      const reaper = startReaper({ docker, db, logger });
      stops.push({ name: 'reaper', stop: () => Promise.resolve(reaper.stop()) });
    }
    const workerConnection = await connectTemporalWorker(config);
    stops.push({ name: 'worker connection', stop: () => workerConnection.close() });
    const workers = await startWorkers({
      config,
      connection: workerConnection,
      deps: buildActivityDeps(config, logger, db, docker),
      platform: true,
      hostId: config.worker.hostId,
    });
    stops.push({ name: 'workers', stop: () => workers.shutdown() });
    workers.done.catch((err: unknown) => {
      logger.error({ err }, 'worker failed');
      void stopAll(1);
    });
    say(
      `  worker     task queues ${workers.taskQueues.join(', ')}; environments: workspace${docker ? ' + Docker' : ' (no Docker engine found)'}`,
    );

    const { client, connection } = await connectTemporalClient(config);
    stops.push({ name: 'temporal client', stop: () => connection.close() });
    const api = await serveApi({ db, temporal: client, config, logger });
    stops.push({ name: 'api', stop: () => api.close() });

    say('');
    say(`Ambit is running.`);
    say(`  API            ${config.publicUrl}/api/v1   (OpenAPI: ${config.publicUrl}/api/v1/openapi.json)`);
    if (temporalUi) say(`  Temporal UI    ${temporalUi}`);
    if (defaults.devKey) {
      say(`  API key        in ${defaults.devKey.file}`);
      say(`                 export AMBIT_API_KEY=$(cat ${defaults.devKey.file})`);
    } else if (config.bootstrapApiKey) {
      say('  API key        the value of AMBIT_BOOTSTRAP_API_KEY');
    }
    if (!config.models.defaultModelId) {
      say('  Models         none configured: set AMBIT_DEFAULT_MODEL and a provider key (see README, Configuration)');
    } else {
      say(`  Default model  ${config.models.defaultModelId}`);
    }
    say(`  Try            npx ambit run "Summarize the files in this workspace" --follow`);
    say('Press Ctrl-C to stop.');
  } catch (err) {
    process.stderr.write(`\nAmbit could not start: ${(err as Error).message}\n`);
    await stopAll(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
