import { startScriptedModelServer } from '../fixtures/model-server';
import type { ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

describe('an agent run from the API to its record', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;

  beforeAll(async () => {
    models = await startScriptedModelServer({ apiKey: 'sk-test-compatible' });
    platform = await startTestPlatform({
      env: {
        OPENAI_COMPATIBLE_BASE_URL: models.url,
        OPENAI_COMPATIBLE_API_KEY: 'sk-test-compatible',
        AMBIT_DEFAULT_MODEL: 'openai-compatible/scripted-1',
      },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
  });

  test('several tool calls run in the workspace and the run ends SUCCEEDED with transcript, usage and report', async () => {
    models.addScript('tools', [
      {
        toolCalls: [{ name: 'write_file', input: { path: 'notes/hello.txt', content: 'hello from the agent\n' } }],
        usage: { input: 100, output: 20 },
      },
      {
        toolCalls: [
          {
            name: 'run_shell_command',
            input: { command: 'cat notes/hello.txt && echo lines=$(wc -l < notes/hello.txt)' },
          },
        ],
        usage: { input: 150, output: 25 },
      },
      { toolCalls: [{ name: 'list_files', input: { path: '.', recursive: true } }], usage: { input: 200, output: 10 } },
      { text: 'Wrote notes/hello.txt and checked it has one line.', usage: { input: 250, output: 30 } },
    ]);

    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'Write a note [script:tools]',
      config: { name: 'e2e' },
    });
    expect(created.status).toBe(200);
    const runId: string = created.body.run_id;
    expect(created.body.task_id).toBe(runId);

    const run = await platform.waitForState(runId, ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED']);
    expect(run.state).toBe('SUCCEEDED');
    expect(run.status_message.message).toContain('Wrote notes/hello.txt');
    expect(run.request_usage.total_tokens).toBe(100 + 20 + 150 + 25 + 200 + 10 + 250 + 30);
    expect(run.agent_config.model_id).toBe('openai-compatible/scripted-1');
    expect(run.started_at).toBeDefined();

    // One model call per step, each made exactly once.
    expect(models.callsFor('tools').map((r) => r.step)).toEqual([0, 1, 2, 3]);

    // The shell command ran in the workspace and saw the file the previous tool wrote.
    const calls = await platform.database.db.toolCall.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
    expect(calls.map((c) => [c.name, c.state])).toEqual([
      ['write_file', 'completed'],
      ['run_shell_command', 'completed'],
      ['list_files', 'completed'],
    ]);
    expect(calls[1]?.output).toMatchObject({ exit_code: 0, stdout: 'hello from the agent\nlines=1\n' });

    // The report artifact holds the final answer.
    expect(run.artifacts).toHaveLength(1);
    expect(run.artifacts[0]).toMatchObject({
      artifact_type: 'FILE',
      data: { filename: 'report.md', mime_type: 'text/markdown' },
    });
    const artifact = await platform.database.db.artifact.findFirstOrThrow({ where: { runId } });
    expect(artifact.content).toBe('Wrote notes/hello.txt and checked it has one line.');

    // The transcript: prompt, then each turn's actions and results, then the answer.
    const conversation = await platform.request('GET', `/agent/runs/${runId}/conversation`);
    expect(conversation.status).toBe(200);
    const blocks = conversation.body.steps.flatMap((s: any) =>
      s.messages.flatMap((m: any) => m.content.map((c: any) => c.type)),
    );
    expect(blocks.filter((t: string) => t === 'action')).toHaveLength(3);
    expect(blocks.filter((t: string) => t === 'action_result')).toHaveLength(3);

    // The state timeline was recorded in order, and the workspace was cleaned up.
    const states = (
      await platform.database.db.runEvent.findMany({ where: { runId, type: 'state_changed' }, orderBy: { id: 'asc' } })
    ).map((e) => (e.data as { state: string }).state);
    expect(states).toEqual(['QUEUED', 'PENDING', 'CLAIMED', 'INPROGRESS', 'SUCCEEDED']);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${platform.dataDir}/workspaces/${runId}`)).toBe(false);
  });

  test('attachments become files in the workspace and the prompt names them', async () => {
    models.addScript('attach', [
      { toolCalls: [{ name: 'read_file', input: { path: 'attachments/data.csv' } }] },
      { text: 'Two columns.' },
    ]);
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'Describe the data [script:attach]',
      attachments: [
        { file_name: '../../data.csv', mime_type: 'text/csv', data: Buffer.from('a,b\n1,2\n').toString('base64') },
      ],
    });
    const run = await platform.waitForState(created.body.run_id, ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED']);
    expect(run.state).toBe('SUCCEEDED');
    const firstRequest = JSON.stringify(models.callsFor('attach')[0]?.body);
    expect(firstRequest).toContain('attachments/data.csv (text/csv, 8 bytes)');
    const call = await platform.database.db.toolCall.findFirstOrThrow({ where: { runId: run.run_id } });
    expect(call.state).toBe('completed');
    expect(call.output).toMatchObject({ content: 'a,b\n1,2\n' });
  });
});
