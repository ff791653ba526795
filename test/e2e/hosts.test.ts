/** Routing runs to self-hosted host workers started with `ambit worker --host <id>`. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const BIN = path.resolve(__dirname, '../../bin/ambit.js');
const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

describe('host workers', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let edge: ChildProcess | undefined;
  let edgeOutput = '';
  const edgeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-edge-'));

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m', AMBIT_DOCKER: 'off' },
    });
  });
  afterAll(async () => {
    edge?.kill('SIGKILL');
    await platform?.stop();
    await models?.close();
    fs.rmSync(edgeDir, { recursive: true, force: true });
  });

  test('a run with config.worker_host executes on that host; others stay on the default host', async () => {
    edge = spawn(process.execPath, [BIN, 'worker', '--host', 'edge-1', '--max-concurrent-runs', '2'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/root',
        ...platform.env,
        AMBIT_DATA_DIR: edgeDir,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    edge.stdout?.on('data', (b: Buffer) => (edgeOutput += b.toString()));
    edge.stderr?.on('data', (b: Buffer) => (edgeOutput += b.toString()));
    for (let i = 0; i < 600 && !edgeOutput.includes('"msg":"worker started"'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(edgeOutput).toContain('"msg":"worker started"');
    expect(edgeOutput).toContain(`${platform.config.temporal.taskQueuePrefix}-host-edge-1`);
    // A host-only worker does not serve the platform queue.
    expect(edgeOutput).not.toContain(`${platform.config.temporal.taskQueuePrefix}-runs`);

    models.addScript('where', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: 'pwd' } }] },
      { text: 'here' },
    ]);
    const onEdge = await platform.request('POST', '/agent/runs', {
      prompt: 'where am I [script:where]',
      config: { worker_host: 'edge-1' },
    });
    const onDefault = await platform.request('POST', '/agent/runs', { prompt: 'and me [script:where]' });
    for (const r of [onEdge, onDefault])
      expect((await platform.waitForState(r.body.run_id, TERMINAL)).state).toBe('SUCCEEDED');

    const pwdOf = async (runId: string) =>
      (
        (await platform.database.db.toolCall.findFirstOrThrow({ where: { runId } })).output as { stdout: string }
      ).stdout.trim();
    expect(await pwdOf(onEdge.body.run_id)).toBe(path.join(edgeDir, 'workspaces', onEdge.body.run_id));
    expect(await pwdOf(onDefault.body.run_id)).toBe(path.join(platform.dataDir, 'workspaces', onDefault.body.run_id));
    const edgeRun = await platform.request('GET', `/agent/runs/${onEdge.body.run_id}`);
    expect(edgeRun.body.agent_config.worker_host).toBe('edge-1');

    // Ctrl-C stops the host worker cleanly.
    const exited = new Promise<number | null>((resolve) => edge!.once('exit', (code) => resolve(code)));
    edge.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  test('bad flags are usage errors naming the flag', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'worker', '--host', 'not a host!'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      c.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--host');
  });
});
