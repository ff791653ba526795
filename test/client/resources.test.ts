import {
  AmbitClient,
  AmbitInvalidRequestError,
  AmbitResponseValidationError,
  type ListRunsParams,
  type RunItem,
} from '../../src/client';
import { startContractServer, type ContractServer } from '../helpers/contract-server';

const API_KEY = 'test-key-0123456789abcdef0123';

describe('AmbitClient resources against a contract server', () => {
  let server: ContractServer;
  let client: AmbitClient;

  beforeAll(async () => {
    server = await startContractServer({ apiKey: API_KEY });
    client = new AmbitClient({ baseUrl: server.url, apiKey: API_KEY, maxRetries: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  test('runs.create posts the request with the bearer key and an idempotency key, and returns the run id', async () => {
    const created = await client.runs.create({ prompt: 'Fix the bug', config: { model_id: 'openai/gpt-4o-mini' } });

    expect(created).toEqual({ run_id: 'run_0001', task_id: 'run_0001', state: 'QUEUED' });
    const req = server.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', path: '/api/v1/agent/runs' });
    expect(req.body).toEqual({ prompt: 'Fix the bug', config: { model_id: 'openai/gpt-4o-mini' } });
    expect(req.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['idempotency-key']).toMatch(/^ambit-[0-9a-f-]{36}$/);
  });

  test('runs.get, runs.conversation and runs.cancel return the contract shapes', async () => {
    server.addRun({ run_id: 'run_a', state: 'INPROGRESS', title: 'A' });
    server.conversations.set('run_a', {
      conversation_id: 'conv_a',
      steps: [
        {
          id: 's1',
          messages: [{ role: 'assistant', content: [{ type: 'text', text: 'hello' }] }],
          steps: [{ id: 's1.1', messages: [], steps: [] }],
        },
      ],
    });

    const run = await client.runs.get('run_a');
    const conversation = await client.runs.conversation('run_a');
    const cancelled = await client.runs.cancel('run_a');

    expect(run).toMatchObject({ run_id: 'run_a', state: 'INPROGRESS', title: 'A' });
    expect(conversation.steps[0]?.messages[0]?.content[0]).toEqual({ type: 'text', text: 'hello' });
    expect(conversation.steps[0]?.steps[0]?.id).toBe('s1.1');
    expect(cancelled).toBe('run_a');
    expect(server.runs.get('run_a')?.state).toBe('CANCELLED');
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/agent/runs/run_a',
      'GET /api/v1/agent/runs/run_a/conversation',
      'POST /api/v1/agent/runs/run_a/cancel',
    ]);
  });

  test('run ids are path-encoded', async () => {
    server.addRun({ run_id: 'a/b c' });

    const run = await client.runs.get('a/b c');

    expect(run.run_id).toBe('a/b c');
    expect(server.requests[0]?.path).toBe('/api/v1/agent/runs/a%2Fb%20c');
  });

  test('models.list and health (which sends no key when none is configured)', async () => {
    const anonymous = new AmbitClient({ baseUrl: server.url });

    const models = await client.models.list();
    const health = await anonymous.health();

    expect(models.default_model_id).toBe('openai/gpt-4o-mini');
    expect(models.models.map((m) => m.id)).toContain('anthropic/claude-sonnet-4-5');
    expect(health.status).toBe('ok');
    expect(server.requests[1]?.headers.authorization).toBeUndefined();
  });

  test('a degraded server (503 with a health body) is reported, not thrown, and not retried', async () => {
    server.inject({
      path: '/health',
      status: 503,
      body: { status: 'degraded', database: 'ok', temporal: 'down' },
    });

    const health = await client.health();

    expect(health).toEqual({ status: 'degraded', database: 'ok', temporal: 'down' });
    expect(server.requests).toHaveLength(1);
  });

  test('runs.list repeats array params and encodes metadata as metadata[k]=v', async () => {
    server.addRun({ run_id: 'r1', state: 'QUEUED', metadata: { team: 'core', env: 'prod' } });
    server.addRun({ run_id: 'r2', state: 'FAILED', metadata: { team: 'core', env: 'prod' } });
    server.addRun({ run_id: 'r3', state: 'FAILED', metadata: { team: 'web', env: 'prod' } });
    server.addRun({ run_id: 'r4', state: 'SUCCEEDED', metadata: { team: 'core', env: 'prod' } });

    const page = await client.runs.list({
      state: ['QUEUED', 'FAILED'],
      metadata: { team: 'core', env: 'prod' },
      limit: 10,
      created_after: new Date('2020-01-01T00:00:00Z'),
    });

    expect(page.runs.map((r) => r.run_id).sort()).toEqual(['r1', 'r2']);
    const req = server.requests[0]!;
    expect(req.rawQuery).toContain('state=QUEUED&state=FAILED');
    expect(req.query.getAll('state')).toEqual(['QUEUED', 'FAILED']);
    expect(req.query.get('metadata[team]')).toBe('core');
    expect(req.query.get('metadata[env]')).toBe('prod');
    expect(req.query.get('created_after')).toBe('2020-01-01T00:00:00.000Z');
    expect(req.query.get('limit')).toBe('10');
  });

  test('runs.listAll follows cursors across pages, fetching each page once', async () => {
    for (let i = 1; i <= 7; i++) server.addRun({ run_id: `p${i}` });

    const seen: string[] = [];
    for await (const run of client.runs.listAll({ limit: 3 })) seen.push(run.run_id);

    expect(seen).toEqual(['p7', 'p6', 'p5', 'p4', 'p3', 'p2', 'p1']);
    const listCalls = server.requests.filter((r) => r.path === '/api/v1/agent/runs');
    expect(listCalls).toHaveLength(3);
    expect(listCalls[0]?.query.has('cursor')).toBe(false);
    expect(listCalls[1]?.query.get('cursor')).toBeTruthy();
    expect(listCalls[2]?.query.get('cursor')).not.toBe(listCalls[1]?.query.get('cursor'));
  });

  test('listAll stops early without fetching further pages when the caller breaks', async () => {
    for (let i = 1; i <= 6; i++) server.addRun({ run_id: `q${i}` });

    const first: RunItem[] = [];
    for await (const run of client.runs.listAll({ limit: 2 })) {
      first.push(run);
      if (first.length === 3) break;
    }

    expect(first.map((r) => r.run_id)).toEqual(['q6', 'q5', 'q4']);
    expect(server.requests).toHaveLength(2);
  });

  test('a baseUrl that already ends in /api/v1 (as Oz SDK users pass it) is not doubled', async () => {
    const oz = new AmbitClient({ baseUrl: `${server.url}/api/v1/`, apiKey: API_KEY });

    await oz.models.list();

    expect(server.requests[0]?.path).toBe('/api/v1/agent/models');
  });

  test('bad list parameters are refused before anything is sent, naming the field', async () => {
    await expect(client.runs.list({ limit: 0 })).rejects.toThrow(AmbitInvalidRequestError);
    await expect(client.runs.list({ state: ['DONE'] } as unknown as ListRunsParams)).rejects.toThrow(/state/);
    expect(server.requests).toHaveLength(0);
  });

  test('bad client options name the option', () => {
    expect(() => new AmbitClient({ baseUrl: 'localhost:3000' })).toThrow(/baseUrl/);
    expect(() => new AmbitClient({ baseUrl: 'http://x', maxRetries: -1 })).toThrow(/maxRetries/);
  });

  test('a 2xx body that does not match the contract is a clear AmbitResponseValidationError', async () => {
    server.addRun({ run_id: 'bad' });
    server.inject({ method: 'GET', path: '/agent/runs/bad', status: 200, body: { run_id: 'bad', state: 'DONE' } });
    server.inject({ method: 'GET', path: '/agent/runs', status: 200, body: { runs: [] } });
    server.inject({ method: 'GET', path: '/agent/models', status: 200, body: '<html>proxy</html>' });

    const getError = await client.runs.get('bad').catch((e: unknown) => e);
    const listError = await client.runs.list().catch((e: unknown) => e);
    const modelsError = await client.models.list().catch((e: unknown) => e);

    expect(getError).toBeInstanceOf(AmbitResponseValidationError);
    expect((getError as Error).message).toMatch(/GET \/api\/v1\/agent\/runs\/bad/);
    expect((getError as Error).message).toMatch(/state/);
    expect((getError as Error).message).toMatch(/title/);
    expect((listError as Error).message).toMatch(/page_info/);
    expect(modelsError).toBeInstanceOf(AmbitResponseValidationError);
    expect((modelsError as Error).message).toMatch(/not JSON/);
  });

  test('unknown fields the server adds later pass through', async () => {
    server.addRun({ run_id: 'extra', ...({ future_field: 42 } as object) });

    const run = await client.runs.get('extra');

    expect(run['future_field']).toBe(42);
  });
});
