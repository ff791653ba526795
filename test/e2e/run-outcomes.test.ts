import fs from 'node:fs';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

describe('how runs end', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      dbKind: 'pglite',
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/scripted-1' },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
  });

  const start = async (body: Record<string, unknown>): Promise<string> => {
    const r = await platform.request('POST', '/agent/runs', body);
    expect(r.status).toBe(200);
    return r.body.run_id as string;
  };

  test('cancel mid-run stops the agent, records CANCELLED and removes the workspace; a second cancel is a 400', async () => {
    models.addScript('cancel', [
      { toolCalls: [{ name: 'write_file', input: { path: 'a.txt', content: 'x' } }] },
      { gate: 'cancel-gate', text: 'never delivered' },
    ]);
    const runId = await start({ prompt: 'long job [script:cancel]' });
    await models.waitForGate('cancel-gate', { timeoutMs: 30_000 });
    expect(fs.existsSync(`${platform.dataDir}/workspaces/${runId}/a.txt`)).toBe(true);
    const cancelled = await platform.request('POST', `/agent/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toBe(runId);
    const run = await platform.waitForState(runId, TERMINAL);
    expect(run.state).toBe('CANCELLED');
    expect(run.status_message.error_code).toBe('cancelled');
    expect(run.is_run_type_cancellable).toBe(false);
    expect(fs.existsSync(`${platform.dataDir}/workspaces/${runId}`)).toBe(false);
    const again = await platform.request('POST', `/agent/runs/${runId}/cancel`);
    expect(again.status).toBe(400);
    models.release('cancel-gate');
  });

  test('an unknown model provider ends the run FAILED with unknown_model, before any model call', async () => {
    const before = models.requests.length;
    const runId = await start({ prompt: 'hi', config: { model_id: 'anthropic/claude-nope' } });
    const run = await platform.waitForState(runId, TERMINAL);
    expect(run.state).toBe('FAILED');
    expect(run.status_message.error_code).toBe('unknown_model');
    expect(run.status_message.message).toContain('ANTHROPIC_API_KEY');
    expect(models.requests.length).toBe(before);
  });

  test('a provider 4xx is not retried and fails the run; a 429 is retried and the run succeeds', async () => {
    models.addScript('rejected', [{ text: 'unreachable' }]);
    models.failNext({ status: 400, message: 'context length exceeded' });
    const rejected = await start({ prompt: 'x [script:rejected]' });
    const failed = await platform.waitForState(rejected, TERMINAL);
    expect(failed.state).toBe('FAILED');
    expect(failed.status_message.error_code).toBe('model_request_rejected');
    expect(failed.status_message.message).toContain('400');
    expect(models.callsFor('rejected')).toHaveLength(1);

    models.addScript('limited', [{ text: 'made it' }]);
    // Longer than the retry policy's 2 s first interval, so honouring it shows in the gap between attempts.
    models.failNext({ status: 429, headers: { 'retry-after': '3' } });
    const limited = await start({ prompt: 'x [script:limited]' });
    const ok = await platform.waitForState(limited, TERMINAL);
    expect(ok.state).toBe('SUCCEEDED');
    const attempts = models.callsFor('limited');
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(3000);
  });

  test('max_turns ends a run that keeps calling tools FAILED with max_turns_exceeded', async () => {
    const step = { toolCalls: [{ name: 'list_files', input: {} }] };
    models.addScript('endless', [step, step, step, step, step]);
    const runId = await start({ prompt: 'loop [script:endless]', config: { max_turns: 3 } });
    const run = await platform.waitForState(runId, TERMINAL);
    expect(run.state).toBe('FAILED');
    expect(run.status_message.error_code).toBe('max_turns_exceeded');
    expect(models.callsFor('endless')).toHaveLength(3);
  });

  test('the run time limit stops a slow run FAILED with run_timeout and cleans up', async () => {
    models.addScript('slow', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: 'sleep 60' } }] },
      { text: 'late' },
    ]);
    const runId = await start({ prompt: 'slow [script:slow]', config: { run_timeout_minutes: 0.1 } });
    const run = await platform.waitForState(runId, TERMINAL, 60_000);
    expect(run.state).toBe('FAILED');
    expect(run.status_message.error_code).toBe('run_timeout');
    expect(fs.existsSync(`${platform.dataDir}/workspaces/${runId}`)).toBe(false);
  });

  test('a long run continues as new past the per-execution turn budget and keeps one transcript', async () => {
    const steps = Array.from({ length: 24 }, (_, i) => ({
      toolCalls: [{ name: 'write_file', input: { path: `f${i}.txt`, content: String(i) } }],
    }));
    models.addScript('long', [...steps, { text: 'wrote 24 files' }]);
    const runId = await start({ prompt: 'many files [script:long]' });
    const run = await platform.waitForState(runId, TERMINAL, 90_000);
    expect(run.state).toBe('SUCCEEDED');
    expect(models.callsFor('long').map((r) => r.step)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    // More than one execution in Temporal, one run in the record.
    const executions = [];
    for await (const w of platform.client.workflow.list({ query: `WorkflowId = '${runId}'` })) executions.push(w);
    expect(executions.length).toBeGreaterThanOrEqual(2);
    expect(executions.some((e) => e.status.name === 'CONTINUED_AS_NEW')).toBe(true);
    expect(await platform.database.db.toolCall.count({ where: { runId } })).toBe(24);
  });
});

describe('cancelling a run that no worker has picked up yet', () => {
  let platform: TestPlatform;
  afterAll(async () => platform?.stop());

  test('QUEUED → CANCELLED once a worker sees it, without provisioning anything', async () => {
    platform = await startTestPlatform({
      worker: false,
      env: { AMBIT_DEFAULT_MODEL: 'openai-compatible/x', OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:9/v1' },
    });
    const created = await platform.request('POST', '/agent/runs', { prompt: 'never runs' });
    const runId = created.body.run_id as string;
    expect((await platform.request('GET', `/agent/runs/${runId}`)).body.state).toBe('QUEUED');
    expect((await platform.request('POST', `/agent/runs/${runId}/cancel`)).status).toBe(200);
    await platform.startWorker();
    const run = await platform.waitForState(runId, TERMINAL);
    expect(run.state).toBe('CANCELLED');
    expect(fs.existsSync(`${platform.dataDir}/workspaces/${runId}`)).toBe(false);
  });
});
