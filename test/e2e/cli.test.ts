import { spawn } from 'node:child_process';
import path from 'node:path';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const BIN = path.resolve(__dirname, '../../bin/ambit.js');

describe('the ambit CLI against the real platform', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;

  const ambit = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: {
          PATH: process.env['PATH'] ?? '',
          AMBIT_API_URL: platform.api.url,
          AMBIT_API_KEY: platform.apiKey,
          NO_COLOR: '1',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/scripted-1' },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
  });

  test('run --follow prints the id, link, tool calls and outcome, and exits 0 on SUCCEEDED', async () => {
    models.addScript('cli', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: 'echo from-cli' } }], delayMs: 300 },
      { text: 'Ran the command.', delayMs: 300 },
    ]);
    const r = await ambit(['run', 'Run a command [script:cli]', '--follow', '--name', 'cli-e2e']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const runId = /run_[0-9a-f]{24}/.exec(r.stdout)?.[0];
    expect(runId).toBeDefined();
    expect(r.stdout).toContain(`/runs/${runId}`);
    expect(r.stdout).toContain('→ run_shell_command');
    expect(r.stdout).toContain('Ran the command.');
    expect(r.stdout).toContain('SUCCEEDED');

    const list = await ambit(['runs', 'list', '--name', 'cli-e2e', '-o', 'json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { runs: { run_id: string }[] }).runs.map((x) => x.run_id)).toEqual([runId]);

    const got = await ambit(['runs', 'get', runId!, '-o', 'json']);
    expect(JSON.parse(got.stdout)).toMatchObject({ run_id: runId, state: 'SUCCEEDED', source: 'CLI' });

    const conversation = await ambit(['runs', 'conversation', runId!, '-o', 'json']);
    expect(conversation.stdout).toContain('from-cli');
  });

  test('run --wait exits 1 with the status message when the run fails', async () => {
    const r = await ambit(['run', 'x', '--model', 'anthropic/not-configured', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('FAILED');
    expect(r.stdout + r.stderr).toContain('ANTHROPIC_API_KEY');
  });

  test('runs cancel stops a running run', async () => {
    models.addScript('cli-cancel', [{ gate: 'cli-cancel-gate', text: 'never' }]);
    const started = await ambit(['run', 'hold [script:cli-cancel]', '-o', 'json']);
    const runId = (JSON.parse(started.stdout) as { run_id: string }).run_id;
    await models.waitForGate('cli-cancel-gate');
    const c = await ambit(['runs', 'cancel', runId]);
    expect(c.code).toBe(0);
    const run = await platform.waitForState(runId, ['CANCELLED', 'SUCCEEDED', 'FAILED', 'ERROR']);
    expect(run.state).toBe('CANCELLED');
    models.release('cli-cancel-gate');
  });

  test('a bad key is one clear line and exit 1', async () => {
    const r = await ambit(['runs', 'list'], { AMBIT_API_KEY: 'ambit_wrong' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Error: /);
    expect(r.stderr).not.toContain('ambit_wrong');
  });

  test('runs followup reaches an ended run, which runs again', async () => {
    models.addScript('cli-fu', [{ text: 'first' }, { text: 'after the follow-up' }]);
    const started = await ambit(['run', 'fu [script:cli-fu]', '--wait', '-o', 'json']);
    const runId = (JSON.parse(started.stdout) as { run_id: string }).run_id;
    const r = await ambit(['runs', 'followup', runId, 'And then?']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${runId} runs again (execution 2)`);
    const run = await platform.waitForState(runId, ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED']);
    expect(run.status_message.message).toBe('after the follow-up');
    const usage = await ambit(['runs', 'followup', runId, '   ']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('<message>');
  });

  test('runs watch streams the live events until the run ends, and resumes with --since', async () => {
    models.addScript('cli-watch', [
      { gate: 'cli-watch-gate', toolCalls: [{ name: 'run_shell_command', input: { command: 'echo watched' } }] },
      { text: 'watched to the end' },
    ]);
    const started = await ambit(['run', 'watch [script:cli-watch]', '-o', 'json']);
    const runId = (JSON.parse(started.stdout) as { run_id: string }).run_id;
    const watching = ambit(['runs', 'watch', runId]);
    await models.waitForGate('cli-watch-gate');
    models.release('cli-watch-gate');
    const w = await watching;
    expect(w.code).toBe(0);
    const lines = w.stdout.trim().split('\n');
    expect(lines[0]).toBe('● QUEUED');
    expect(lines).toEqual(
      expect.arrayContaining([
        '→ run_shell_command {"command":"echo watched"}',
        '✓ run_shell_command',
        'watched to the end',
      ]),
    );
    expect(lines[lines.length - 1]).toContain('SUCCEEDED');

    // Resuming after an event id prints only what came after it, once.
    const all = await ambit(['runs', 'watch', runId, '-o', 'ndjson']);
    const events = all.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    const resumed = await ambit(['runs', 'watch', runId, '-o', 'ndjson', '--since', events[2]!.id]);
    expect(
      resumed.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(events.slice(3).map((e) => e.id));
    const bad = await ambit(['runs', 'watch', runId, '--since', 'latest']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since');
  });
});
