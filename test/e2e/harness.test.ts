import path from 'node:path';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];
const CLI = path.resolve(__dirname, '../fixtures/harness/claude-cli.js');

describe('the command harness runs an external agent CLI inside the environment', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  beforeAll(async () => {
    models = await startScriptedModelServer({ apiKey: 'sk-ant-harness' });
    platform = await startTestPlatform({
      dbKind: 'pglite',
      env: {
        ANTHROPIC_API_KEY: 'sk-ant-harness',
        ANTHROPIC_BASE_URL: models.anthropicUrl,
        AMBIT_HARNESS_CLAUDE_COMMAND: `${process.execPath} ${CLI} -p "$AMBIT_PROMPT" --output-format stream-json`,
      },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
  });

  test('claude harness: prompt and credential go in, its output streams into events, its answer is the report', async () => {
    models.addScript('harness', [{ text: 'Fixed the flaky test.', usage: { input: 40, output: 9 } }]);
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'Fix the flaky test [script:harness]',
      config: { harness: { type: 'claude' } },
    });
    const run = await platform.waitForState(created.body.run_id as string, TERMINAL);
    expect(run.state).toBe('SUCCEEDED');
    expect(run.status_message.message).toBe('Fixed the flaky test.');
    expect(run.agent_config.harness).toEqual({ type: 'claude' });
    expect(run.request_usage.total_tokens).toBe(49);
    // The CLI made its call with the platform's credential (the server rejects any other key).
    expect(models.callsFor('harness').map((c) => c.status)).toEqual([200]);
    const lines = await platform.database.db.runEvent.findMany({
      where: { runId: run.run_id, type: 'log' },
      orderBy: { id: 'asc' },
    });
    const sources = lines.map((e) => (e.data as { source?: string; line?: string }).line ?? '');
    expect(sources.some((l) => l.includes('"type":"system"'))).toBe(true);
    expect(sources.some((l) => l.includes('"type":"result"'))).toBe(true);
  });

  test('a harness CLI that exits non-zero ends the run FAILED with harness_failed and its stderr', async () => {
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'x [cli:fail]',
      config: { harness: { type: 'claude' } },
    });
    const run = await platform.waitForState(created.body.run_id as string, TERMINAL);
    expect(run.state).toBe('FAILED');
    expect(run.status_message.error_code).toBe('harness_failed');
    expect(run.status_message.message).toContain('claude exited with 3');
    expect(run.status_message.message).toContain('authentication failed');
  });
});
