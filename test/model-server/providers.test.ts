/**
 * The real AI SDK providers against the scripted server: every wire protocol, JSON and SSE, must decode into the
 * text, tool calls, usage and finish reasons the script asked for.
 */
import { APICallError, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { PROVIDER_CASES, TEST_KEY } from './providers';

const readFileTool = tool({
  description: 'Read a file',
  inputSchema: jsonSchema<{ path: string }>({
    type: 'object',
    properties: { path: { type: 'string' } },
    required: ['path'],
    additionalProperties: false,
  }),
});
const runTool = tool({
  description: 'Run a command',
  inputSchema: jsonSchema<{ command: string; args: string[] }>({
    type: 'object',
    properties: { command: { type: 'string' }, args: { type: 'array', items: { type: 'string' } } },
    required: ['command', 'args'],
    additionalProperties: false,
  }),
});
const tools = { read_file: readFileTool, run: runTool };

let server: ScriptedModelServer;

beforeAll(async () => {
  server = await startScriptedModelServer({ apiKey: TEST_KEY });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
});

describe.each(PROVIDER_CASES)('$name', ({ model, path }) => {
  it('answers a scripted text step with its text, usage and a stop finish reason', async () => {
    server.addScript('hello', [{ text: 'Hello from the script.', usage: { input: 42, output: 7 } }]);

    const result = await generateText({ model: model(server), prompt: 'Say hi [script:hello]', maxRetries: 0 });

    expect(result.text).toBe('Hello from the script.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBe(42);
    expect(result.usage.outputTokens).toBe(7);
    expect(server.callsFor('hello')).toHaveLength(1);
    expect(server.callsFor('hello')[0]).toMatchObject({ path, step: 0, status: 200, stream: false });
  });

  it('answers a tool step with named tool calls whose inputs parse, and a tool-calls finish reason', async () => {
    server.addScript('tools', [
      {
        text: 'Let me look.',
        toolCalls: [
          { name: 'read_file', input: { path: 'README.md' } },
          { name: 'run', input: { command: 'ls', args: ['-la', '/tmp'] } },
        ],
      },
    ]);

    const result = await generateText({
      model: model(server),
      system: 'You are a test agent. [script:tools]',
      prompt: 'Inspect the repo',
      tools,
      maxRetries: 0,
    });

    expect(result.finishReason).toBe('tool-calls');
    expect(result.text).toBe('Let me look.');
    expect(result.toolCalls.map((c) => ({ id: c.toolCallId, name: c.toolName, input: c.input }))).toEqual([
      { id: 'call_tools_0_0', name: 'read_file', input: { path: 'README.md' } },
      { id: 'call_tools_0_1', name: 'run', input: { command: 'ls', args: ['-la', '/tmp'] } },
    ]);
  });

  it('streams text as several deltas and reports usage and finish reason at the end', async () => {
    server.addScript('stream', [{ text: 'one two three four five', usage: { input: 11, output: 5 } }]);

    const result = streamText({ model: model(server), prompt: '[script:stream] count', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);

    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('one two three four five');
    expect(await result.finishReason).toBe('stop');
    const usage = await result.usage;
    expect(usage.inputTokens).toBe(11);
    expect(usage.outputTokens).toBe(5);
    expect(server.callsFor('stream')[0]).toMatchObject({ path, stream: true, status: 200 });
  });

  it('streams tool calls whose argument deltas join into the scripted input', async () => {
    server.addScript('stream-tools', [
      { toolCalls: [{ name: 'run', input: { command: 'echo', args: ['a "quoted" arg', 'ünïcode'] } }] },
    ]);

    const result = streamText({ model: model(server), prompt: '[script:stream-tools] go', tools, maxRetries: 0 });
    const inputDeltas: string[] = [];
    for await (const part of result.fullStream) if (part.type === 'tool-input-delta') inputDeltas.push(part.delta);

    const calls = await result.toolCalls;
    expect(calls.map((c) => ({ id: c.toolCallId, name: c.toolName, input: c.input }))).toEqual([
      { id: 'call_stream-tools_0_0', name: 'run', input: { command: 'echo', args: ['a "quoted" arg', 'ünïcode'] } },
    ]);
    expect(inputDeltas.length).toBeGreaterThan(1);
    expect(JSON.parse(inputDeltas.join(''))).toEqual({ command: 'echo', args: ['a "quoted" arg', 'ünïcode'] });
    expect(await result.finishReason).toBe('tool-calls');
  });

  it('selects each step from the assistant turns in the request, across a real multi-step tool loop', async () => {
    server.addScript('loop', [
      { toolCalls: [{ name: 'read_file', input: { path: 'a.txt' } }] },
      { text: 'Reading b too.', toolCalls: [{ name: 'read_file', input: { path: 'b.txt' } }] },
      { text: 'Both files read.' },
    ]);
    const read: string[] = [];
    const executing = {
      read_file: tool({
        inputSchema: readFileTool.inputSchema,
        execute: ({ path: file }: { path: string }) => {
          read.push(file);
          return Promise.resolve({ content: `contents of ${file}` });
        },
      }),
    };

    const result = await generateText({
      model: model(server),
      prompt: '[script:loop] read the files',
      tools: executing,
      stopWhen: stepCountIs(5),
      maxRetries: 0,
    });

    expect(read).toEqual(['a.txt', 'b.txt']);
    expect(result.steps).toHaveLength(3);
    expect(result.text).toBe('Both files read.');
    expect(server.callsFor('loop').map((r) => r.step)).toEqual([0, 1, 2]);
  });

  it('surfaces a 429 with its Retry-After header as a retryable APICallError', async () => {
    server.addScript('limited', [{ text: 'never sent' }]);
    server.failNext({ status: 429, headers: { 'retry-after': '7' }, message: 'Slow down, scripted' });

    const error: unknown = await generateText({
      model: model(server),
      prompt: '[script:limited]',
      maxRetries: 0,
    }).catch((e: unknown) => e);

    expect(APICallError.isInstance(error)).toBe(true);
    const apiError = error as APICallError;
    expect(apiError.statusCode).toBe(429);
    expect(apiError.isRetryable).toBe(true);
    expect(apiError.responseHeaders?.['retry-after']).toBe('7');
    expect(apiError.message).toContain('Slow down, scripted');
  });

  it('surfaces a 500 as a retryable APICallError and a 400 as a non-retryable one', async () => {
    server.addScript('faulty', [{ text: 'ok' }]);
    server.failNext({ status: 500 });
    server.failNext({ status: 400, message: 'messages: bad shape' });

    const first: unknown = await generateText({ model: model(server), prompt: '[script:faulty]', maxRetries: 0 }).catch(
      (e: unknown) => e,
    );
    const second: unknown = await generateText({
      model: model(server),
      prompt: '[script:faulty]',
      maxRetries: 0,
    }).catch((e: unknown) => e);
    const third = await generateText({ model: model(server), prompt: '[script:faulty]', maxRetries: 0 });

    expect(APICallError.isInstance(first) && first.statusCode).toBe(500);
    expect(APICallError.isInstance(first) && first.isRetryable).toBe(true);
    expect(APICallError.isInstance(second) && second.statusCode).toBe(400);
    expect(APICallError.isInstance(second) && second.isRetryable).toBe(false);
    expect((second as Error).message).toContain('messages: bad shape');
    expect(third.text).toBe('ok');
  });

  it('recovers through the SDK retry loop once the scripted faults run out', async () => {
    server.addScript('flaky', [{ text: 'third time lucky' }]);
    server.failNext({ status: 429, count: 2, headers: { 'retry-after-ms': '5' } });

    const result = await generateText({ model: model(server), prompt: '[script:flaky]', maxRetries: 2 });

    expect(result.text).toBe('third time lucky');
    expect(server.callsFor('flaky').map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('rejects a wrong API key with 401 and records the key header the client sent', async () => {
    server.addScript('keyed', [{ text: 'authorized' }]);

    const error: unknown = await generateText({
      model: model(server, 'sk-wrong'),
      prompt: '[script:keyed]',
      maxRetries: 0,
    }).catch((e: unknown) => e);
    const ok = await generateText({ model: model(server), prompt: '[script:keyed]', maxRetries: 0 });

    expect(APICallError.isInstance(error) && error.statusCode).toBe(401);
    expect(ok.text).toBe('authorized');
    const [rejected, accepted] = server.callsFor('keyed');
    const sentKey = (r: typeof rejected) => r?.headers['x-api-key'] ?? r?.headers['authorization'];
    expect(sentKey(rejected)).toContain('sk-wrong');
    expect(sentKey(accepted)).toContain(TEST_KEY);
    expect([rejected?.status, accepted?.status]).toEqual([401, 200]);
  });
});
