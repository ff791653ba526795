/**
 * `npm start` as a user runs it: the whole platform on embedded defaults, Ctrl-C stops every process it started,
 * and a second start finds the earlier run intact.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { freePort, portOpen } from '../helpers/net';

const ROOT = path.resolve(__dirname, '../..');

interface Started {
  child: ChildProcess;
  output: () => string;
  /** npm itself ends by the SIGINT it received (signal), the launcher it ran by exit code 0. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function npmStart(env: Record<string, string>): Promise<Started> {
  // Its own process group, like a terminal's foreground job: Ctrl-C reaches npm, sh, tsx and node alike.
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close' waits for every process holding its output (npm's children too), not only npm itself.
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${out}`)), 90_000);
    const check = () => {
      if (out.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve({ child, output: () => out, exited });
      }
    };
    child.stdout?.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${out}`));
    });
  });
}

describe('npm start', () => {
  let models: ScriptedModelServer;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-start-'));
  let running: Started | undefined;

  beforeAll(async () => {
    models = await startScriptedModelServer();
  });
  afterAll(async () => {
    try {
      if (running?.child.pid) process.kill(-running.child.pid, 'SIGKILL');
    } catch {
      // already gone: the test stopped it
    }
    await models?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('runs the platform on embedded defaults, stops everything on Ctrl-C, and keeps runs across restarts', async () => {
    const ports = { api: await freePort(), temporal: await freePort(), ui: await freePort(), db: await freePort() };
    const env = {
      AMBIT_DATA_DIR: dataDir,
      PORT: String(ports.api),
      AMBIT_TEMPORAL_PORT: String(ports.temporal),
      AMBIT_TEMPORAL_UI_PORT: String(ports.ui),
      AMBIT_EMBEDDED_DB_PORT: String(ports.db),
      OPENAI_COMPATIBLE_BASE_URL: models.url,
      AMBIT_DEFAULT_MODEL: 'openai-compatible/scripted',
      ...(process.env['AMBIT_TEST_TEMPORAL_CLI'] ? { TEMPORAL_CLI_PATH: process.env['AMBIT_TEST_TEMPORAL_CLI'] } : {}),
    };
    // Start from a clean slate: no external service configured.
    for (const k of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'AMBIT_BOOTSTRAP_API_KEY']) delete process.env[k];

    running = await npmStart(env);
    const banner = running.output();
    expect(banner).toContain(`http://localhost:${ports.api}/api/v1`);
    expect(banner).toContain(`http://localhost:${ports.ui}`);
    const keyFile = path.join(dataDir, 'dev-api-key');
    expect(banner).toContain(keyFile);
    const key = fs.readFileSync(keyFile, 'utf8').trim();
    const api = (route: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${ports.api}/api/v1${route}`, {
        ...init,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      });

    models.addScript('launcher', [
      { toolCalls: [{ name: 'write_file', input: { path: 'x', content: 'y' } }] },
      { text: 'survives restarts' },
    ]);
    const created = (await (
      await api('/agent/runs', { method: 'POST', body: JSON.stringify({ prompt: 'p [script:launcher]' }) })
    ).json()) as { run_id: string };
    let state = '';
    for (let i = 0; i < 300 && state !== 'SUCCEEDED'; i++) {
      state = ((await (await api(`/agent/runs/${created.run_id}`)).json()) as { state: string }).state;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('SUCCEEDED');

    // Ctrl-C: every process it started stops, and every port is released.
    process.kill(-running.child.pid!, 'SIGINT');
    const first = await running.exited;
    expect(first.code === 0 || first.signal === 'SIGINT').toBe(true);
    expect(running.output()).toContain('Stopped.');
    expect(running.output()).not.toContain('error while stopping');
    for (const port of Object.values(ports)) expect(await portOpen(port)).toBe(false);

    // Second start: same key, same run, same transcript.
    running = await npmStart(env);
    expect(running.output()).not.toContain('migrations applied');
    expect(fs.readFileSync(keyFile, 'utf8').trim()).toBe(key);
    const again = (await (await api(`/agent/runs/${created.run_id}`)).json()) as {
      state: string;
      status_message: { message: string };
    };
    expect(again.state).toBe('SUCCEEDED');
    expect(again.status_message.message).toBe('survives restarts');
    const conversation = (await (await api(`/agent/runs/${created.run_id}/conversation`)).json()) as {
      steps: unknown[];
    };
    expect(conversation.steps.length).toBeGreaterThan(0);
    // Temporal kept its history too.
    const health = (await (await fetch(`http://127.0.0.1:${ports.api}/api/v1/health`)).json()) as { temporal: string };
    expect(health.temporal).toBe('ok');

    process.kill(-running.child.pid!, 'SIGINT');
    await running.exited;
    expect(running.output()).toContain('Stopped.');
  });
});
