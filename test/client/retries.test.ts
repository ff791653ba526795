import {
  AmbitClient,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  retryDelayMs,
  shouldRetryResponse,
} from '../../src/client';
import { closedPort, startContractServer, type ContractServer } from '../helpers/contract-server';

const gaps = (server: ContractServer): number[] =>
  server.requests.slice(1).map((r, i) => r.at - server.requests[i]!.at);

describe('retries, backoff and timeouts against a faulty server', () => {
  let server: ContractServer;

  beforeAll(async () => {
    server = await startContractServer();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const client = (over: Partial<{ maxRetries: number; timeoutMs: number }> = {}): AmbitClient =>
    new AmbitClient({ baseUrl: server.url, apiKey: 'k', ...over });

  test('429 with retry-after-ms is retried after the requested delay, not the default backoff', async () => {
    server.inject({ path: '/agent/models', status: 429, headers: { 'retry-after-ms': '60' } });

    const models = await client().models.list();

    expect(models.models.length).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(2);
    const [gap] = gaps(server);
    expect(gap).toBeGreaterThanOrEqual(55);
    // The default first backoff is at least 375 ms (0.5 s minus 25 % jitter).
    expect(gap).toBeLessThan(350);
  });

  test('429 with Retry-After in seconds waits that long', async () => {
    server.inject({ path: '/agent/models', status: 429, headers: { 'retry-after': '1' } });

    await client().models.list();

    expect(gaps(server)[0]).toBeGreaterThanOrEqual(990);
  });

  test('Retry-After as an HTTP date waits until that date', async () => {
    const at = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    server.inject({ path: '/agent/models', status: 503, headers: { 'retry-after': at.toUTCString() } });

    await client().models.list();

    expect(server.requests[1]!.at).toBeGreaterThanOrEqual(at.getTime() - 20);
  });

  test('5xx is retried with exponential backoff, then the success is returned', async () => {
    server.inject({ path: '/agent/models', status: 503, times: 2 });

    const models = await client({ maxRetries: 2 }).models.list();

    expect(models.default_model_id).toBeDefined();
    expect(server.requests).toHaveLength(3);
    const [first, second] = gaps(server);
    expect(first).toBeGreaterThanOrEqual(370);
    expect(first).toBeLessThan(900);
    expect(second).toBeGreaterThanOrEqual(745);
    expect(second).toBeLessThan(1600);
    expect(server.requests.map((r) => r.headers['x-ambit-retry-count'])).toEqual(['0', '1', '2']);
  });

  test('gives up after maxRetries and throws the last error', async () => {
    server.inject({ path: '/agent/models', status: 500, times: 5, headers: { 'retry-after-ms': '10' } });

    const error = await client({ maxRetries: 2 })
      .models.list()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(3);
  });

  test.each([408, 409])('%i is retried', async (status) => {
    server.inject({ path: '/agent/models', status, headers: { 'retry-after-ms': '10' } });

    await client().models.list();

    expect(server.requests).toHaveLength(2);
  });

  test.each([
    [400, BadRequestError],
    [404, NotFoundError],
  ] as const)('%i is not retried', async (status, Class) => {
    server.inject({ path: '/agent/models', status, times: 3 });

    const error = await client()
      .models.list()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Class);
    expect(server.requests).toHaveLength(1);
  });

  test('x-should-retry: false stops a retry the status would allow', async () => {
    server.inject({ path: '/agent/models', status: 503, times: 3, headers: { 'x-should-retry': 'false' } });

    const error = await client()
      .models.list()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });

  test('x-should-retry: true retries a status that is otherwise final', async () => {
    server.inject({
      path: '/agent/models',
      status: 400,
      headers: { 'x-should-retry': 'true', 'retry-after-ms': '10' },
    });

    await client().models.list();

    expect(server.requests).toHaveLength(2);
  });

  test('a request slower than timeoutMs fails with APIConnectionTimeoutError', async () => {
    server.inject({ path: '/agent/models', delayMs: 3000, status: 200 });

    const started = Date.now();
    const error = await client({ timeoutMs: 200, maxRetries: 0 })
      .models.list()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).message).toMatch(/timed out after 200 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('a timed-out attempt is retried and a later fast answer wins', async () => {
    server.inject({ path: '/agent/models', delayMs: 3000, status: 200 });

    const models = await client({ timeoutMs: 300, maxRetries: 1 }).models.list();

    expect(models.models.length).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(2);
  });

  test('a dropped connection is retried', async () => {
    server.inject({ path: '/agent/models', destroy: true });

    const models = await client().models.list();

    expect(models.models.length).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(2);
  });

  test('connection refused is an APIConnectionError (not a timeout) naming the URL', async () => {
    const port = await closedPort();
    const refused = new AmbitClient({ baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 });

    const error = await refused.models.list().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as APIConnectionError).status).toBeUndefined();
    expect((error as Error).message).toBe(
      `Could not connect to http://127.0.0.1:${port}/api/v1/agent/models: connection refused`,
    );
  });

  test("aborting the caller's signal during a retry wait stops at once with APIUserAbortError", async () => {
    server.inject({ path: '/agent/models', status: 429, headers: { 'retry-after': '30' } });
    const controller = new AbortController();

    const pending = client().models.list({ signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const error = await pending.catch((e: unknown) => e);

    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(1);
  });

  test('per-call maxRetries overrides the client default', async () => {
    server.inject({ path: '/agent/models', status: 429, times: 2 });

    const error = await client({ maxRetries: 5 })
      .models.list({ maxRetries: 0 })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('retry rules', () => {
  const headers = (h: Record<string, string> = {}): Headers => new Headers(h);

  test('backoff doubles from 0.5 s and is capped at 8 s; jitter takes off at most 25 %', () => {
    const noJitter = [0, 1, 2, 3, 4, 5].map((n) => retryDelayMs(n, undefined, 0, () => 0));
    const fullJitter = [0, 1, 2, 3, 4, 5].map((n) => retryDelayMs(n, undefined, 0, () => 1));

    expect(noJitter).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect(fullJitter).toEqual([375, 750, 1500, 3000, 6000, 6000]);
  });

  test('server-requested delays win unless absurd (over 60 s)', () => {
    expect(retryDelayMs(3, headers({ 'retry-after-ms': '20' }))).toBe(20);
    expect(retryDelayMs(0, headers({ 'retry-after': '0' }))).toBe(0);
    expect(retryDelayMs(0, headers({ 'retry-after': '2.5' }))).toBe(2500);
    expect(retryDelayMs(0, headers({ 'retry-after': 'Thu, 01 Jan 1970 00:00:05 GMT' }), 1000)).toBe(4000);
    expect(retryDelayMs(0, headers({ 'retry-after': '3600' }), 0, () => 0)).toBe(500);
    expect(retryDelayMs(0, headers({ 'retry-after': 'soon' }), 0, () => 0)).toBe(500);
  });

  test('which statuses are retried', () => {
    const retried = [200, 400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504].filter((s) =>
      shouldRetryResponse(s, headers()),
    );

    expect(retried).toEqual([408, 409, 429, 500, 502, 503, 504]);
  });
});
