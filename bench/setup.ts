/**
 * The platform under test, wired the way `npm start` wires it (workers/start.ts) but in one process on throwaway
 * parts: a Temporal dev server in memory, a scratch database, the Ambit worker and API, and beside them a plain
 * Temporal Worker for the bare workflows. The model provider is the scripted model server from the test fixtures.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { startApiServer, type ApiServer } from '../src/api/server';
import { loadConfig, type AppConfig } from '../src/config';
import { generateApiKey } from '../src/db/api-keys';
import { ensureDefaults } from '../src/db/bootstrap';
import { createDb, type Db } from '../src/db/client';
import { startEmbeddedDatabase } from '../src/db/embedded';
import { applyMigrations } from '../src/db/migrate';
import { resolveTemporalCli, startTemporalDevServer } from '../src/launcher/temporal-cli';
import { createLogger } from '../src/logger';
import { startScriptedModelServer, type ScriptedModelServer } from '../test/fixtures/model-server';
import { buildActivityDeps } from '../workers/build-deps';
import { startWorkers } from '../workers/run-worker';
import { installTemporalRuntime } from '../workers/runtime';
import { createBaselineActivities } from './baseline-activities';
import type { Cleanup } from './cleanup';
import type { BenchOptions } from './options';

/** Prompts carry `[script:bench]`, so every model call is answered by this script's single text step. */
export const BENCH_SCRIPT = 'bench';
export const BENCH_PROMPT = `Reply with one word. [script:${BENCH_SCRIPT}]`;
const MODEL_KEY = 'sk-bench';
const MODEL_ID = 'openai-compatible/scripted-1';
const NAMESPACE = 'default';

export interface BenchPlatform {
  client: Client;
  db: Db;
  models: ScriptedModelServer;
  apiKey: string;
  /** Runs created here go to a task queue no worker polls, so they stay QUEUED: creation cost alone. */
  queuedApi: ApiServer;
  /** Runs created here are executed by the Ambit worker. */
  api: ApiServer;
  /** The bare workflows' queue, served by the plain Worker. */
  baselineTaskQueue: string;
  /** A queue no worker polls, for bare starts that stay queued like the Ambit runs of `queuedApi`. */
  idleTaskQueue: string;
  temporal: { pid: number; cliPath: string; address: string };
  database: { kind: 'pglite' | 'postgres'; version: string };
  /** How each side's worker is configured, for the report. */
  workerSettings: { ambit: string; baseline: string };
  /** Rejects if a worker stops on its own (a fatal error), so a measurement waiting on runs fails instead of hanging. */
  failed: Promise<never>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr && typeof addr === 'object') srv.close(() => resolve(addr.port));
      else reject(new Error('could not pick a free port'));
    });
  });
}

/** A database of its own on the given server, dropped at the end, so runs never land in anyone's real data. */
async function createScratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ambit_bench_${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = new PgClient({ connectionString: serverUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
  } catch (err) {
    throw new Error(
      `Could not create a scratch database on AMBIT_BENCH_DATABASE_URL (${(err as Error).message}). ` +
        'Point it at a PostgreSQL server where this user may CREATE DATABASE, or unset it to use the embedded PGlite.',
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new PgClient({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

function pgliteVersion(): string {
  const dir = path.dirname(require.resolve('@electric-sql/pglite'));
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

export async function startBenchPlatform(
  options: BenchOptions,
  cleanup: Cleanup,
  say: (line: string) => void,
): Promise<BenchPlatform> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-bench-'));
  cleanup.add('temporary directory', () => fs.promises.rm(root, { recursive: true, force: true }));
  const id = crypto.randomBytes(4).toString('hex');

  const cliPath = await resolveTemporalCli({
    explicitPath: options.temporalCliPath,
    toolsDir: path.resolve(__dirname, '..', '.tools'),
    onProgress: (m) => say(`  ${m}`),
  });
  const server = await startTemporalDevServer({
    cliPath,
    port: await freePort(),
    logFile: path.join(root, 'temporal.log'),
  });
  cleanup.add('Temporal dev server', () => server.stop());
  say(`  temporal   dev server (in memory, headless) on ${server.address}, pid ${server.pid}`);

  let url: string;
  let kind: 'pglite' | 'postgres';
  if (options.postgresUrl) {
    const scratch = await createScratchDatabase(options.postgresUrl);
    cleanup.add('scratch database', () => scratch.drop());
    url = scratch.url;
    kind = 'postgres';
  } else {
    const embedded = await startEmbeddedDatabase({ dataDir: path.join(root, 'db'), port: 0 });
    cleanup.add('embedded database', () => embedded.stop());
    url = embedded.url;
    kind = 'pglite';
  }
  await applyMigrations({ url });
  const db = createDb(url);
  cleanup.add('database client', () => db.$disconnect());
  const [row] = await db.$queryRaw<{ server_version: string }[]>`SHOW server_version`;
  const version =
    kind === 'pglite'
      ? `PGlite ${pgliteVersion()} (PostgreSQL ${row?.server_version ?? '?'} in WebAssembly, embedded, over pglite-socket)`
      : `PostgreSQL ${row?.server_version ?? '?'} (scratch database)`;
  say(`  database   ${version}`);

  const apiKey = generateApiKey().key;
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  await ensureDefaults(db, { bootstrapApiKey: apiKey, dataDir });

  const models = await startScriptedModelServer({ apiKey: MODEL_KEY });
  cleanup.add('scripted model server', () => models.close());
  models.addScript(BENCH_SCRIPT, [{ text: 'Done.', usage: { input: 20, output: 2 } }]);

  // Production mode needs a master key for secrets; the bench makes a throwaway one.
  const masterKey = crypto.randomBytes(32).toString('base64');
  const configFor = (prefix: string): AppConfig =>
    loadConfig({
      NODE_ENV: 'production',
      AMBIT_MASTER_KEY: masterKey,
      LOG_LEVEL: 'warn',
      AMBIT_DATA_DIR: dataDir,
      DATABASE_URL: url,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      AMBIT_TASK_QUEUE_PREFIX: prefix,
      AMBIT_HOST_ID: 'bench',
      // Ambit's host queue admits this many runs at once; the throughput measurement keeps this many in flight.
      AMBIT_MAX_CONCURRENT_RUNS: String(options.inFlight),
      AMBIT_BOOTSTRAP_API_KEY: apiKey,
      AMBIT_DEFAULT_MODEL: MODEL_ID,
      OPENAI_COMPATIBLE_BASE_URL: models.url,
      OPENAI_COMPATIBLE_API_KEY: MODEL_KEY,
    });
  const config = configFor(`bench-${id}`);
  const queuedConfig = configFor(`bench-queued-${id}`);
  const logger = createLogger(config, 'bench');
  installTemporalRuntime(logger, config.logLevel);

  const connection = await Connection.connect({ address: server.address });
  cleanup.add('Temporal client connection', () => connection.close());
  const client = new Client({ connection, namespace: NAMESPACE });

  say('  bundling   Ambit workflows and the bare workflows ...');
  const [ambitBundle, baselineBundle] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quietBundlerLogger }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./baseline-workflows'), logger: quietBundlerLogger }),
  ]);

  let fail: (err: Error) => void = noop;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  // Nothing may be left unhandled when no measurement is waiting on it.
  failed.catch(noop);

  const ambitConnection = await NativeConnection.connect({ address: server.address });
  cleanup.add('Ambit worker connection', () => ambitConnection.close());
  const ambitWorkers = await startWorkers({
    config,
    connection: ambitConnection,
    deps: buildActivityDeps(config, logger, db),
    platform: true,
    hostId: config.worker.hostId,
    workflowBundle: ambitBundle,
  });
  cleanup.add('Ambit workers', () => ambitWorkers.shutdown());
  ambitWorkers.done.then(
    () => cleanup.started || fail(new Error('the Ambit worker stopped during the bench')),
    (err: unknown) => fail(new Error(`the Ambit worker failed: ${(err as Error).message}`)),
  );

  // Same activity slots as Ambit's platform worker (run-worker.ts), so neither side is throttled more.
  const baselineActivitySlots = Math.max(20, config.worker.maxConcurrentRuns * 2);
  const baselineTaskQueue = `bench-bare-${id}`;
  const baselineConnection = await NativeConnection.connect({ address: server.address });
  cleanup.add('bare worker connection', () => baselineConnection.close());
  const baselineWorker = await Worker.create({
    connection: baselineConnection,
    namespace: NAMESPACE,
    taskQueue: baselineTaskQueue,
    workflowBundle: baselineBundle,
    activities: createBaselineActivities(),
    maxConcurrentActivityTaskExecutions: baselineActivitySlots,
  });
  const baselineRunning = baselineWorker.run();
  cleanup.add('bare worker', async () => {
    if (baselineWorker.getState() === 'RUNNING') baselineWorker.shutdown();
    await baselineRunning;
  });
  baselineRunning.then(
    () => cleanup.started || fail(new Error('the bare worker stopped during the bench')),
    (err: unknown) => fail(new Error(`the bare worker failed: ${(err as Error).message}`)),
  );
  say(`  workers    Ambit on ${ambitWorkers.taskQueues.join(', ')}; bare on ${baselineTaskQueue}`);

  const api = await startApiServer({ db, temporal: client, config, logger, port: 0, host: '127.0.0.1' });
  cleanup.add('API server', () => api.close());
  const queuedApi = await startApiServer({
    db,
    temporal: client,
    config: queuedConfig,
    logger,
    port: 0,
    host: '127.0.0.1',
  });
  cleanup.add('API server (queued runs)', () => queuedApi.close());
  say(`  api        ${api.url}/api/v1 (runs executed), ${queuedApi.url}/api/v1 (runs left queued)`);

  return {
    client,
    db,
    models,
    apiKey,
    queuedApi,
    api,
    baselineTaskQueue,
    idleTaskQueue: `bench-idle-${id}`,
    temporal: { pid: server.pid, cliPath, address: server.address },
    database: { kind, version },
    workerSettings: {
      ambit:
        `workers/run-worker.ts: platform queue (workflows + ${Math.max(20, config.worker.maxConcurrentRuns * 2)} activity slots) ` +
        `and host queue (${config.worker.maxConcurrentRuns} activity slots), AMBIT_MAX_CONCURRENT_RUNS=${config.worker.maxConcurrentRuns}, ` +
        `streaming model calls ${config.models.streaming ? 'on' : 'off'}`,
      baseline: `one plain Worker (workflows + ${baselineActivitySlots} activity slots), SDK defaults otherwise`,
    },
    failed,
  };
}
