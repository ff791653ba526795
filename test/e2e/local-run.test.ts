/**
 * A local run end to end: the real CLI (`ambit agent run`, spawned as a process) starts an ephemeral host worker
 * for the run and works in the given directory, while the platform (real API, Temporal, workers, PostgreSQL) tracks
 * it: the run is LOCAL in the API's list, its tool call ran in the user's directory, and a cancellation from the
 * API ends it and the CLI (exit 1), leaving the directory alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAmbit } from '../cli/spawn-cli';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

describe('ambit agent run (local runs tracked by the platform)', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let directory: string;

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m' },
    });
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-local-'));
    fs.writeFileSync(path.join(directory, 'marker.txt'), 'hello from the laptop\n');
  });
  afterAll(async () => {
    models?.release('local-hold');
    await platform?.stop();
    await models?.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  test('the run is LOCAL in the API, works in the directory, and a cancel from the API ends it and the CLI', async () => {
    models.addScript('local-run', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: 'cat marker.txt; pwd' } }] },
      { text: 'still thinking', gate: 'local-hold' },
    ]);

    const cli = runAmbit(
      ['agent', 'run', 'Look at the marker [script:local-run]', '--cwd', directory, '--share', 'team', '-o', 'ndjson'],
      { AMBIT_API_URL: platform.api.url, AMBIT_API_KEY: platform.apiKey, LOG_LEVEL: 'error' },
      120_000,
    );
    // The second model call waits at the gate: by then the tool call has run on the local host.
    await models.waitForGate('local-hold', { timeoutMs: 90_000 });

    const list = await platform.request('GET', '/agent/runs?execution_location=LOCAL');
    expect(list.status).toBe(200);
    const listed = (list.body.runs as { run_id: string; execution_location: string; state: string }[]).filter(
      (r) => r.execution_location === 'LOCAL',
    );
    expect(listed).toHaveLength(1);
    const runId = listed[0]!.run_id;
    const run = (await platform.request('GET', `/agent/runs/${runId}`)).body;
    expect(run).toMatchObject({
      execution_location: 'LOCAL',
      state: 'INPROGRESS',
      source: 'CLI',
      scope: { type: 'Team' },
    });
    expect(run.agent_config.worker_host).toMatch(/^local-[0-9a-f]{16}$/);
    const call = await platform.database.db.toolCall.findFirstOrThrow({ where: { runId } });
    expect(call.output).toMatchObject({ exit_code: 0 });
    expect((call.output as { stdout: string }).stdout).toBe(`hello from the laptop\n${fs.realpathSync(directory)}\n`);

    expect((await platform.request('POST', `/agent/runs/${runId}/cancel`)).status).toBe(200);

    const result = await cli;
    expect(result.code).toBe(1);
    const events = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; state?: string; run_id?: string });
    expect(events[0]).toMatchObject({ type: 'run.created', run_id: runId, execution_location: 'LOCAL' });
    expect(events.at(-1)).toEqual({ type: 'run.ended', run_id: runId, state: 'CANCELLED' });
    expect((await platform.request('GET', `/agent/runs/${runId}`)).body.state).toBe('CANCELLED');
    // Cleanup of a local run leaves the user's directory as it was.
    expect(fs.readFileSync(path.join(directory, 'marker.txt'), 'utf8')).toBe('hello from the laptop\n');
  });
});
