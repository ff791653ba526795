import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a worker killed with SIGKILL mid-run', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let worker: WorkerProcess | undefined;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-crash-'));
  const log = path.join(scratch, 'executions.log');
  const lines = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []);
  const count = (line: string) => lines().filter((l) => l === line).length;

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      worker: false,
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/scripted-1' },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await platform?.stop();
    await models?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('loses nothing and repeats no completed model call or tool call', async () => {
    models.addScript('crash', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: `echo tool0 >> ${log}` } }] },
      { toolCalls: [{ name: 'run_shell_command', input: { command: `echo tool1 >> ${log}` } }] },
      // The worker dies while this model call is in flight.
      { gate: 'mid-model', toolCalls: [{ name: 'run_shell_command', input: { command: `echo tool2 >> ${log}` } }] },
      // ... and again while this tool call runs.
      {
        toolCalls: [
          {
            name: 'run_shell_command',
            input: { command: `echo tool3-start >> ${log}; sleep 2; echo tool3-end >> ${log}` },
          },
        ],
      },
      { text: 'All steps done.' },
    ]);
    worker = await startWorkerProcess(platform.env);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Crash test [script:crash]' });
    expect(created.status).toBe(200);
    const runId: string = created.body.run_id;

    // Kill 1: in the middle of the third model call.
    await models.waitForGate('mid-model', { timeoutMs: 60_000 });
    expect(lines()).toEqual(['tool0', 'tool1']);
    await worker.kill();
    models.release('mid-model');
    worker = await startWorkerProcess(platform.env);

    // Kill 2: in the middle of the fourth tool call.
    await until(() => count('tool3-start') === 1, 90_000, 'the fourth tool call to start');
    await worker.kill();
    worker = await startWorkerProcess(platform.env);

    const run = await platform.waitForState(runId, ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'], 120_000);
    expect(run.state).toBe('SUCCEEDED');
    expect(run.status_message.message).toBe('All steps done.');

    // Completed tool calls ran exactly once; the one that was cut off ran again to completion.
    expect(count('tool0')).toBe(1);
    expect(count('tool1')).toBe(1);
    expect(count('tool2')).toBe(1);
    expect(count('tool3-start')).toBeGreaterThanOrEqual(2);
    expect(count('tool3-end')).toBeGreaterThanOrEqual(1);

    // Completed model calls were made exactly once; only the interrupted one was made again.
    const steps = models.callsFor('crash').map((r) => r.step);
    for (const step of [0, 1, 3, 4]) expect(steps.filter((s) => s === step)).toHaveLength(1);
    expect(steps.filter((s) => s === 2)).toHaveLength(2);
    const interrupted = models.callsFor('crash').filter((r) => r.step === 2);
    expect(interrupted[0]?.aborted).toBe(true);

    // The record holds each call once.
    const db = platform.database.db;
    expect(await db.modelCall.count({ where: { runId } })).toBe(5);
    expect(await db.toolCall.count({ where: { runId, state: 'completed' } })).toBe(4);
  });
});
