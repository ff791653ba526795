/** Script selection, gates, delays and request validation: the behaviour tests and benchmarks lean on. */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, type ModelMessage } from 'ai';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';

let server: ScriptedModelServer;
const compatible = () => createOpenAICompatible({ name: 'local', baseURL: server.url, apiKey: 'k' })('local-test');
const anthropic = () => createAnthropic({ baseURL: server.anthropicUrl, apiKey: 'k' })('claude-sonnet-4-5');

async function postJson(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  server = await startScriptedModelServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
});

describe('script selection', () => {
  it('answers an identical request identically, so a retried call after a crash gets the same reply', async () => {
    server.addScript('same', [{ toolCalls: [{ name: 'run', input: { n: 1 } }] }, { text: 'second step' }]);
    const body = { model: 'm', messages: [{ role: 'user', content: '[script:same] go' }] };

    const first = await postJson('/chat/completions', body);
    const second = await postJson('/chat/completions', body);

    expect(first.status).toBe(200);
    expect(second.json).toEqual({ ...(first.json as object), created: expect.any(Number) as number });
    expect(server.callsFor('same').map((r) => r.step)).toEqual([0, 0]);
  });

  it('picks the step from the number of assistant messages already in the conversation', async () => {
    server.addScript('steps', [{ text: 'zero' }, { text: 'one' }, { text: 'two' }]);
    const messages: ModelMessage[] = [
      { role: 'user', content: '[script:steps] start' },
      { role: 'assistant', content: 'zero' },
      { role: 'user', content: 'again' },
      { role: 'assistant', content: 'one' },
      { role: 'user', content: 'again' },
    ];

    const viaChat = await generateText({ model: compatible(), messages, maxRetries: 0 });
    const viaAnthropic = await generateText({ model: anthropic(), messages, maxRetries: 0 });

    expect(viaChat.text).toBe('two');
    expect(viaAnthropic.text).toBe('two');
  });

  it('answers "done" past the end of a script', async () => {
    server.addScript('short', [{ text: 'only step' }]);

    const result = await generateText({
      model: anthropic(),
      messages: [
        { role: 'user', content: '[script:short]' },
        { role: 'assistant', content: 'only step' },
        { role: 'user', content: 'more?' },
      ],
      maxRetries: 0,
    });

    expect(result.text).toBe('done');
    expect(result.finishReason).toBe('stop');
    expect(server.callsFor('short')[0]?.step).toBe(1);
  });

  it('uses the script named "default" when no marker is present', async () => {
    server.addScript('default', [{ text: 'default answer' }]);

    const result = await generateText({ model: compatible(), prompt: 'no marker here', maxRetries: 0 });

    expect(result.text).toBe('default answer');
    expect(server.callsFor('default')).toHaveLength(1);
  });

  it('finds the marker in the system prompt of an Anthropic request', async () => {
    server.addScript('sys', [{ text: 'from system marker' }]);

    const result = await generateText({
      model: anthropic(),
      system: 'Agent [script:sys]',
      prompt: 'hi',
      maxRetries: 0,
    });

    expect(result.text).toBe('from system marker');
  });

  it('rejects a marker naming a script that was never added, saying how to add it', async () => {
    const { status, json } = await postJson('/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: '[script:missing]' }],
    });

    expect(status).toBe(400);
    expect(JSON.stringify(json)).toContain('server.addScript(\\"missing\\"');
  });

  it('rejects a malformed body with the documented error shape naming the field', async () => {
    const chat = await postJson('/chat/completions', { model: 'm', messages: [{ role: 'robot', content: 'x' }] });
    const messages = await postJson('/messages', { model: 'm', messages: [{ role: 'user', content: 'x' }] });

    expect(chat.status).toBe(400);
    expect(chat.json).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect((chat.json as { error: { message: string } }).error.message).toContain('messages.0.role');
    expect(messages.status).toBe(400);
    expect(messages.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect((messages.json as { error: { message: string } }).error.message).toContain('max_tokens');
  });

  it('rejects invalid scripts when they are added', () => {
    expect(() => server.addScript('bad name', [])).toThrow(/letters, digits/);
    expect(() => server.addScript('ok', [{ toolCalls: [{ name: '', input: {} }] }])).toThrow(/must name a tool/);
  });
});

describe('gates and delays', () => {
  it('holds a response at its gate until released, and waitForGate reports the waiting request', async () => {
    server.addScript('gated', [{ text: 'after the gate', gate: 'g1' }]);
    let settled = false;

    const call = generateText({ model: compatible(), prompt: '[script:gated]', maxRetries: 0 }).finally(() => {
      settled = true;
    });
    const waiting = await server.waitForGate('g1');
    await new Promise((r) => setTimeout(r, 50));

    expect(waiting).toMatchObject({ script: 'gated', step: 0, status: null });
    expect(settled).toBe(false);
    server.release('g1');
    expect((await call).text).toBe('after the gate');
    expect(waiting.status).toBe(200);
  });

  it('lets an aborted request leave its gate, and counts arrivals so a retry can be awaited', async () => {
    server.addScript('crash', [{ text: 'survived', gate: 'mid-call' }]);
    const abort = new AbortController();

    const doomed = generateText({
      model: anthropic(),
      prompt: '[script:crash]',
      abortSignal: abort.signal,
      maxRetries: 0,
    }).catch((e: unknown) => e);
    const first = await server.waitForGate('mid-call');
    abort.abort();
    expect(await doomed).toMatchObject({ name: 'AbortError' });
    // The socket closes a moment after the client-side abort; the killed call must be seen as cut off.
    await until(() => first.aborted);

    const retry = generateText({ model: anthropic(), prompt: '[script:crash]', maxRetries: 0 });
    const second = await server.waitForGate('mid-call', { arrival: 2 });
    server.release('mid-call');

    expect((await retry).text).toBe('survived');
    expect(first).toMatchObject({ status: null, aborted: true });
    expect(second).toMatchObject({ status: 200, aborted: false });
    expect(server.callsFor('crash')).toHaveLength(2);
  });

  it('passes requests straight through a gate that was released earlier', async () => {
    server.addScript('open', [{ text: 'through', gate: 'g2' }]);
    server.release('g2');

    const result = await generateText({ model: compatible(), prompt: '[script:open]', maxRetries: 0 });
    const seen = await server.waitForGate('g2', { arrival: 1 });

    expect(result.text).toBe('through');
    expect(seen.script).toBe('open');
  });

  it('fails waitForGate with a clear message when nothing arrives in time', async () => {
    await expect(server.waitForGate('nobody', { timeoutMs: 50 })).rejects.toThrow(/No request reached gate "nobody"/);
  });

  it('delays a response by delayMs', async () => {
    server.addScript('slow', [{ text: 'late', delayMs: 300 }]);
    const started = Date.now();

    const result = await generateText({ model: compatible(), prompt: '[script:slow]', maxRetries: 0 });

    expect(result.text).toBe('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('streaming usage opt-in', () => {
  it('sends the Chat Completions usage chunk only when stream_options.include_usage asks for it', async () => {
    server.addScript('usage', [{ text: 'counted', usage: { input: 3, output: 2 } }]);
    const body = { model: 'm', stream: true, messages: [{ role: 'user', content: '[script:usage]' }] };

    const without = await (
      await fetch(`${server.url}/chat/completions`, { method: 'POST', body: JSON.stringify(body) })
    ).text();
    const withUsage = await (
      await fetch(`${server.url}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ ...body, stream_options: { include_usage: true } }),
      })
    ).text();

    expect(without).not.toContain('"usage"');
    expect(withUsage).toContain('"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}');
    expect(withUsage.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
