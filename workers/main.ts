/**
 * A worker process: `npm run worker` or `ambit worker --host <id>`. Serves this host's queue (AMBIT_HOST_ID) and,
 * unless AMBIT_WORKER_PLATFORM=false, the platform queue. Run more of them, on more machines, for more capacity.
 */
import { ConfigError, loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { temporalDataConverter } from '../src/secrets/payload-codec';
import { connectTemporalWorker } from '../src/temporal/connection';
import { Client } from '@temporalio/client';
import type { buildActivityDeps } from './build-deps';
import { buildHostActivityDeps, dockerClient } from './host-deps';
import { runActiveInTemporal, startReaper } from './reaper';
import { startWorkers } from './run-worker';
import { installTemporalRuntime } from './runtime';
import { onShutdownSignal } from './signals';

/** The platform's dependencies, required only where used: a host-only worker never loads database or integration code. */
function platformDeps(): { buildActivityDeps: typeof buildActivityDeps } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./build-deps') as { buildActivityDeps: typeof buildActivityDeps };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'ambit-worker');
  installTemporalRuntime(logger, config.logLevel);
  const docker = dockerClient(config);
  // A host-only worker (AMBIT_WORKER_PLATFORM=false) needs nothing but Temporal: no database is configured or opened.
  const hostOnly = !config.worker.platform;
  // Loaded only by platform workers: the database and the integrations' code.
  const deps = hostOnly
    ? buildHostActivityDeps(config, logger, docker)
    : platformDeps().buildActivityDeps(config, logger, undefined, docker);
  const connection = await connectTemporalWorker(config);
  const workers = await startWorkers({
    config,
    connection,
    deps,
    platform: config.worker.platform,
    hostId: config.worker.hostId,
  });
  logger.info({ taskQueues: workers.taskQueues, namespace: config.temporal.namespace }, 'worker started');
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: temporalDataConverter(config),
  });
  const reaper = docker
    ? startReaper(
        hostOnly ? { docker, logger, isRunActive: runActiveInTemporal(client) } : { docker, db: deps.db, logger },
      )
    : undefined;
  onShutdownSignal(() => {
    reaper?.stop();
    return workers.shutdown();
  });
  await workers.done;
  await deps.db.$disconnect();
  await connection.close();
  logger.info('worker stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
