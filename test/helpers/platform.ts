/**
 * The whole platform in one test process, on real parts: a real database (PGlite or PostgreSQL), the suite's
 * real Temporal dev server, real workers and the real API over HTTP. Only the model provider is a local server
 * speaking its documented protocol.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { loadConfig, type AppConfig } from '../../src/config';
import { generateApiKey } from '../../src/db/api-keys';
import { ensureDefaults } from '../../src/db/bootstrap';
import { createLogger } from '../../src/logger';
import { buildActivityDeps } from '../../workers/build-deps';
import { startWorkers, type RunningWorkers } from '../../workers/run-worker';
import { installTemporalRuntime } from '../../workers/runtime';
import type { ActivityDeps } from '../../activities';
import { createTestDatabase, type DbKind, type TestDatabase } from './database';
import { connectClient, connectWorker, temporalAddress, uniquePrefix } from './temporal';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Workflows are bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundlerLogger });
  return bundle;
}
const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

export interface TestPlatform {
  config: AppConfig;
  env: Record<string, string>;
  database: TestDatabase;
  client: Client;
  api: ApiServer;
  apiKey: string;
  dataDir: string;
  deps: ActivityDeps;
  /** Starts a worker in this process (platform + host queue). */
  startWorker(): Promise<RunningWorkers>;
  /** Calls the API with the platform's key. */
  request(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  waitForState(runId: string, states: string[], timeoutMs?: number): Promise<any>;
  stop(): Promise<void>;
}

export interface TestPlatformOptions {
  dbKind?: DbKind;
  env?: Record<string, string>;
  /** Start an in-process worker right away (default true). */
  worker?: boolean;
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const database = await createTestDatabase(options.dbKind ?? 'postgres');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-test-'));
  const apiKey = generateApiKey().key;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    AMBIT_DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporalAddress(),
    TEMPORAL_NAMESPACE: 'default',
    AMBIT_TASK_QUEUE_PREFIX: uniquePrefix('ambit'),
    AMBIT_HOST_ID: 'local',
    AMBIT_BOOTSTRAP_API_KEY: apiKey,
    ...options.env,
  };
  const config = loadConfig(env);
  const logger = createLogger(config, 'test');
  installTemporalRuntime(logger, config.logLevel);
  await ensureDefaults(database.db, { bootstrapApiKey: apiKey, dataDir });
  const { client, connection } = await connectClient();
  const api = await startApiServer({ db: database.db, temporal: client, config, logger, port: 0, host: '127.0.0.1' });
  const deps = buildActivityDeps(config, logger, database.db);
  const workers: { running: RunningWorkers; connection: NativeConnection }[] = [];

  const platform: TestPlatform = {
    config,
    env,
    database,
    client,
    api,
    apiKey,
    dataDir,
    deps,
    async startWorker() {
      const workerConnection = await connectWorker();
      const running = await startWorkers({
        config,
        connection: workerConnection,
        deps,
        platform: true,
        hostId: config.worker.hostId,
        workflowBundle: await workflowBundle(),
      });
      workers.push({ running, connection: workerConnection });
      return running;
    },
    async request(method, route, body) {
      const res = await fetch(`${api.url}/api/v1${route}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async waitForState(runId, states, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last: any;
      while (Date.now() < deadline) {
        const r = await platform.request('GET', `/agent/runs/${runId}`);
        last = r.body;
        if (r.status === 200 && states.includes(r.body.state)) return r.body;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(
        `run ${runId} did not reach ${states.join('|')} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
      );
    },
    async stop() {
      for (const w of workers) {
        await w.running.shutdown().catch(() => undefined);
        await w.connection.close().catch(() => undefined);
      }
      await api.close();
      await connection.close();
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (options.worker !== false) await platform.startWorker();
  return platform;
}
