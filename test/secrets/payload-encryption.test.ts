/**
 * Temporal payload encryption end to end: with AMBIT_TEMPORAL_PAYLOAD_KEY set, a real run completes while every
 * payload in its history (fetched with a client that has no key) is ciphertext; the codec endpoint, as the Temporal
 * Web UI calls it, decrypts them back.
 */
import crypto from 'node:crypto';
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { temporalDataConverter } from '../../src/secrets';
import { buildActivityDeps } from '../../workers/build-deps';
import { startWorkers, type RunningWorkers } from '../../workers/run-worker';
import { silentLogger } from '../api/helpers';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, workflowBundle, type TestPlatform } from '../helpers/platform';
import { connectWorker } from '../helpers/temporal';

interface WirePayload {
  metadata?: Record<string, Uint8Array>;
  data?: Uint8Array;
}

/**
 * Every payload object (metadata + data) in a history, except the two kinds Temporal keeps readable by design:
 * search attributes (the server indexes them) and the SDK's patch markers (names of code versions, no data).
 */
function payloadsOf(value: unknown, out: WirePayload[] = []): WirePayload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return out;
  const v = value as Record<string, unknown>;
  if (v['metadata'] && typeof v['metadata'] === 'object' && 'encoding' in v['metadata']) {
    out.push(v);
    return out;
  }
  for (const [key, child] of Object.entries(v)) {
    if (key !== 'searchAttributes' && key !== 'patch-data') payloadsOf(child, out);
  }
  return out;
}

const b64 = (u: Uint8Array | undefined) => Buffer.from(u ?? new Uint8Array()).toString('base64');

describe('Temporal payload encryption', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let api: ApiServer;
  let workers: RunningWorkers;
  let workerConnection: NativeConnection;
  const marker = `marker-${crypto.randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      worker: false,
      env: {
        AMBIT_TEMPORAL_PAYLOAD_KEY: crypto.randomBytes(32).toString('base64'),
        AMBIT_TEMPORAL_CODEC_ORIGIN: 'http://localhost:8233',
        OPENAI_COMPATIBLE_BASE_URL: models.url,
        AMBIT_DEFAULT_MODEL: 'openai-compatible/scripted-1',
      },
    });
    // The API's client encrypts with the same codec as the workers (connectTemporalClient does this in production).
    const client = new Client({
      connection: platform.client.connection,
      namespace: 'default',
      dataConverter: temporalDataConverter(platform.config),
    });
    api = await startApiServer({
      db: platform.database.db,
      temporal: client,
      config: platform.config,
      logger: silentLogger,
      port: 0,
      host: '127.0.0.1',
    });
    workerConnection = await connectWorker();
    workers = await startWorkers({
      config: platform.config,
      connection: workerConnection,
      deps: buildActivityDeps(platform.config, silentLogger, platform.database.db),
      platform: true,
      hostId: platform.config.worker.hostId,
      workflowBundle: await workflowBundle(),
      reportHost: false,
    });
  }, 120_000);

  afterAll(async () => {
    await workers?.shutdown().catch(() => undefined);
    await workerConnection?.close().catch(() => undefined);
    await api?.close();
    await platform?.stop();
    await models?.close();
  });

  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${api.url}/api/v1${route}`, {
      method,
      headers: {
        authorization: `Bearer ${platform.apiKey}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  test('a run completes; its history holds only encrypted payloads, which the codec endpoint decrypts', async () => {
    models.addScript('codec', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: `echo ${marker}` } }] },
      { text: `printed ${marker}` },
    ]);
    const created = await call('POST', '/agent/runs', { prompt: 'Print it [script:codec]' });
    expect(created.status).toBe(200);
    const runId = created.body.run_id as string;
    let state = '';
    for (let i = 0; i < 600 && !['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'].includes(state); i++) {
      state = (await call('GET', `/agent/runs/${runId}`)).body.state as string;
      if (state !== 'SUCCEEDED') await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('SUCCEEDED');

    // A client without the key sees ciphertext only.
    const history = await platform.client.workflow.getHandle(runId).fetchHistory();
    const payloads = payloadsOf(history);
    expect(payloads.length).toBeGreaterThan(10);
    for (const p of payloads) {
      expect(Buffer.from(p.metadata!['encoding']!).toString()).toBe('binary/encrypted');
      expect(Buffer.from(p.data ?? new Uint8Array()).toString('latin1')).not.toContain(marker);
    }

    // The Temporal Web UI's call: POST {payloads} with the codec-server JSON shape.
    const decoded = await call('POST', '/temporal-codec/decode', {
      payloads: payloads.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
        data: b64(p.data),
      })),
    });
    expect(decoded.status).toBe(200);
    const plain = (decoded.body.payloads as { metadata: Record<string, string>; data: string }[]).map((p) =>
      Buffer.from(p.data, 'base64').toString('utf8'),
    );
    expect(plain.join('\n')).toContain(marker);
    expect(
      (decoded.body.payloads as { metadata: Record<string, string> }[]).every(
        (p) => Buffer.from(p.metadata['encoding'] ?? '', 'base64').toString() !== 'binary/encrypted',
      ),
    ).toBe(true);
  });
});
