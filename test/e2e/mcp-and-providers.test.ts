import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { freePort } from '../helpers/net';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];
const EVERYTHING = path.resolve(__dirname, '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js');

describe('MCP servers and model providers', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let httpMcp: ChildProcess | undefined;

  beforeAll(async () => {
    models = await startScriptedModelServer({ apiKey: 'sk-shared-test-key' });
    platform = await startTestPlatform({
      env: {
        OPENAI_BASE_URL: models.url,
        OPENAI_API_KEY: 'sk-shared-test-key',
        ANTHROPIC_BASE_URL: models.anthropicUrl,
        ANTHROPIC_API_KEY: 'sk-shared-test-key',
        OPENAI_COMPATIBLE_BASE_URL: models.url,
        OPENAI_COMPATIBLE_API_KEY: 'sk-shared-test-key',
        AMBIT_DEFAULT_MODEL: 'openai-compatible/scripted-1',
      },
    });
  });
  afterAll(async () => {
    httpMcp?.kill();
    await platform?.stop();
    await models?.close();
  });

  const run = async (body: Record<string, unknown>) => {
    const r = await platform.request('POST', '/agent/runs', body);
    expect(r.status).toBe(200);
    return platform.waitForState(r.body.run_id as string, TERMINAL);
  };

  test('the agent calls a tool of an official MCP server started over stdio inside the environment', async () => {
    models.addScript('mcp-stdio', [
      { toolCalls: [{ name: 'mcp__everything__get-sum', input: { a: 19, b: 23 } }] },
      { text: 'The sum is 42.' },
    ]);
    const result = await run({
      prompt: 'Add numbers [script:mcp-stdio]',
      config: { mcp_servers: { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'] } } },
    });
    expect(result.state).toBe('SUCCEEDED');
    // The model was offered the server's tools next to the built-ins.
    const offered = (models.callsFor('mcp-stdio')[0]?.body as { tools: { function: { name: string } }[] }).tools.map(
      (t) => t.function.name,
    );
    expect(offered).toEqual(
      expect.arrayContaining(['run_shell_command', 'mcp__everything__echo', 'mcp__everything__get-sum']),
    );
    const call = await platform.database.db.toolCall.findFirstOrThrow({ where: { runId: result.run_id } });
    expect(call).toMatchObject({ name: 'mcp__everything__get-sum', category: 'integration', state: 'completed' });
    expect(JSON.stringify(call.output)).toContain('42');
    // The tool result went back to the model in the next call.
    expect(JSON.stringify(models.callsFor('mcp-stdio')[1]?.body)).toContain('42');
  });

  test('a URL MCP server (streamable HTTP) works the same way', async () => {
    const port = await freePort();
    httpMcp = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'GET' }).then(
        () => true,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    models.addScript('mcp-url', [
      { toolCalls: [{ name: 'mcp__remote__echo', input: { message: 'over http' } }] },
      { text: 'echoed' },
    ]);
    const result = await run({
      prompt: 'Echo [script:mcp-url]',
      config: { mcp_servers: { remote: { url: `http://127.0.0.1:${port}/mcp` } } },
    });
    expect(result.state).toBe('SUCCEEDED');
    const call = await platform.database.db.toolCall.findFirstOrThrow({ where: { runId: result.run_id } });
    expect(call.state).toBe('completed');
    expect(JSON.stringify(call.output)).toContain('over http');
  });

  test('an MCP server that cannot start fails the run FAILED with invalid_config naming it', async () => {
    const result = await run({
      prompt: 'x',
      config: { mcp_servers: { broken: { command: '/nonexistent/mcp-server' } } },
    });
    expect(result.state).toBe('FAILED');
    expect(result.status_message.error_code).toBe('invalid_config');
    expect(result.status_message.message).toContain('broken');
  });

  test.each([
    ['openai/gpt-scripted', '/v1/responses'],
    ['anthropic/claude-scripted', '/v1/messages'],
    ['openai-compatible/local-llm', '/v1/chat/completions'],
  ])('model %s goes through its provider (%s) with its key, and usage is recorded', async (modelId, route) => {
    const script = `p-${modelId.split('/')[0]}`;
    models.addScript(script, [
      { toolCalls: [{ name: 'write_file', input: { path: 'x.txt', content: 'y' } }], usage: { input: 11, output: 7 } },
      { text: `answered by ${modelId}`, usage: { input: 13, output: 5 } },
    ]);
    const result = await run({ prompt: `provider check [script:${script}]`, config: { model_id: modelId } });
    expect(result.state).toBe('SUCCEEDED');
    expect(result.status_message.message).toBe(`answered by ${modelId}`);
    expect(result.request_usage.total_tokens).toBe(36);
    const calls = models.callsFor(script);
    expect(calls.map((c) => c.path)).toEqual([route, route]);
    expect(calls.every((c) => c.status === 200)).toBe(true);
  });

  test('GET /agent/models lists the configured providers and the default', async () => {
    const r = await platform.request('GET', '/agent/models');
    expect(r.status).toBe(200);
    expect(r.body.default_model_id).toBe('openai-compatible/scripted-1');
    expect(r.body.models.map((m: { id: string }) => m.id)).toContain('openai-compatible/scripted-1');
  });
});

describe('non-streaming model calls', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      dbKind: 'pglite',
      env: {
        OPENAI_COMPATIBLE_BASE_URL: models.url,
        AMBIT_DEFAULT_MODEL: 'openai-compatible/m',
        AMBIT_MODEL_STREAMING: 'false',
      },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
  });

  test('a run with tool calls succeeds over the JSON (non-SSE) protocol', async () => {
    models.addScript('json', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: 'echo ok' } }] },
      { text: 'fine' },
    ]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'json [script:json]' });
    const result = await platform.waitForState(created.body.run_id as string, TERMINAL);
    expect(result.state).toBe('SUCCEEDED');
    expect(models.callsFor('json').map((c) => c.stream)).toEqual([false, false]);
  });
});
