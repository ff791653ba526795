import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

interface Sse {
  id?: string;
  event?: string;
  data: string;
}

/** Reads an SSE response until `stop` says so or the server ends the stream. */
async function readSse(res: Response, stop: (e: Sse, all: Sse[]) => boolean, abort?: AbortController): Promise<Sse[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const out: Sse[] = [];
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const e: Sse = { data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) e.id = line.slice(4);
        else if (line.startsWith('event: ')) e.event = line.slice(7);
        else if (line.startsWith('data: ')) e.data += line.slice(6);
      }
      if (e.event === undefined && e.data === '') continue; // retry hints and heartbeat comments
      out.push(e);
      if (stop(e, out)) {
        abort?.abort();
        await reader.cancel().catch(() => undefined);
        return out;
      }
    }
  }
}

describe('live run events (SSE)', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      dbKind: 'pglite',
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m' },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
  });

  const open = (runId: string, lastEventId?: string, abort?: AbortController) =>
    fetch(`${platform.api.url}/api/v1/agent/runs/${runId}/events`, {
      headers: { authorization: `Bearer ${platform.apiKey}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      signal: abort?.signal,
    });

  test('streams as it happens; a reconnect with Last-Event-ID replays what was missed, in order, once', async () => {
    models.addScript('sse', [
      { toolCalls: [{ name: 'write_file', input: { path: 'a', content: '1' } }] },
      { gate: 'sse-gate', toolCalls: [{ name: 'run_shell_command', input: { command: 'echo two' } }] },
      { text: 'finished' },
    ]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'watch me [script:sse]' });
    const runId: string = created.body.run_id;

    // First connection: live until the first tool result, then the client drops.
    const abort = new AbortController();
    const first = await open(runId, undefined, abort);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/event-stream');
    const before = await readSse(first, (e) => e.event === 'tool_result', abort);
    expect(before.map((e) => e.event)).toEqual(expect.arrayContaining(['state_changed', 'tool_call', 'tool_result']));

    // While disconnected the run goes on to the end.
    await models.waitForGate('sse-gate');
    models.release('sse-gate');
    await platform.waitForState(runId, ['SUCCEEDED']);

    // Reconnect with the last id seen: the rest arrives, then `end`.
    const second = await open(runId, before[before.length - 1]!.id);
    const after = await readSse(second, () => false);
    expect(after[after.length - 1]!.event).toBe('end');
    const replayed = after.filter((e) => e.event !== 'end');

    const all = await platform.database.db.runEvent.findMany({ where: { runId }, orderBy: { id: 'asc' } });
    const seen = [...before, ...replayed].map((e) => e.id);
    expect(seen).toEqual(all.map((e) => e.id.toString()));
    const last = JSON.parse(replayed[replayed.length - 1]!.data);
    expect(last).toMatchObject({ run_id: runId, type: 'state_changed', data: { state: 'SUCCEEDED' } });
  });

  test('the run list stream shows new runs and their state changes as they happen, and resumes by id', async () => {
    const abort = new AbortController();
    const res = await fetch(`${platform.api.url}/api/v1/agent/runs/events`, {
      headers: { authorization: `Bearer ${platform.apiKey}` },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    models.addScript('list-sse', [{ text: 'listed' }]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'list me [script:list-sse]' });
    const runId: string = created.body.run_id;
    const events = await readSse(
      res,
      (e) => e.data.includes(runId) && JSON.parse(e.data).data.state === 'SUCCEEDED',
      abort,
    );
    const mine = events.map((e) => JSON.parse(e.data)).filter((e) => e.run_id === runId);
    expect(mine.map((e) => e.data.state)).toEqual(['QUEUED', 'PENDING', 'CLAIMED', 'INPROGRESS', 'SUCCEEDED']);
    expect(mine[0].run).toMatchObject({ title: 'list me [script:list-sse]', source: 'API' });

    // Resuming after the QUEUED event replays the rest of this run's changes, once.
    const resumed = await fetch(`${platform.api.url}/api/v1/agent/runs/events`, {
      headers: { authorization: `Bearer ${platform.apiKey}`, 'last-event-id': mine[0].id },
    });
    const again = await readSse(
      resumed,
      (e) => e.data.includes(runId) && JSON.parse(e.data).data.state === 'SUCCEEDED',
    );
    const states = again
      .map((e) => JSON.parse(e.data))
      .filter((e) => e.run_id === runId)
      .map((e) => e.data.state);
    expect(states).toEqual(['PENDING', 'CLAIMED', 'INPROGRESS', 'SUCCEEDED']);
  });

  test('an unknown run is a 404 problem and a malformed Last-Event-ID a 400 naming it', async () => {
    const missing = await open('run_doesnotexist');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'x',
      config: { model_id: 'anthropic/none' },
    });
    const bad = await open(created.body.run_id, 'abc');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toContain('Last-Event-ID');
  });
});
