import {
  AmbitAPIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  AmbitClient,
} from '../../src/client';
import { PROBLEM_TYPE_BASE, problem, startContractServer, type ContractServer } from '../helpers/contract-server';

describe('API errors map to one class per status', () => {
  let server: ContractServer;
  let client: AmbitClient;

  beforeAll(async () => {
    server = await startContractServer({ apiKey: 'right-key-0123456789abcdef' });
    client = new AmbitClient({ baseUrl: server.url, apiKey: 'right-key-0123456789abcdef', maxRetries: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  test.each([
    [400, BadRequestError, 'invalid_request'],
    [401, AuthenticationError, 'authentication_required'],
    [403, PermissionDeniedError, 'budget_exceeded'],
    [404, NotFoundError, 'resource_not_found'],
    [409, ConflictError, 'conflict'],
    [422, UnprocessableEntityError, 'operation_not_supported'],
    [429, RateLimitError, 'resource_unavailable'],
    [500, InternalServerError, 'internal_error'],
    [503, InternalServerError, 'resource_unavailable'],
  ] as const)('%i → %p with status, code, detail and the problem body', async (status, Class, code) => {
    const body = problem(status, `detail for ${status}`, '/api/v1/agent/models', code);
    server.inject({ path: '/agent/models', status, body });

    const error = await client.models.list().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(AmbitAPIError);
    const e = error as AmbitAPIError;
    expect(e.status).toBe(status);
    expect(e.code).toBe(code);
    expect(e.detail).toBe(`detail for ${status}`);
    expect(e.title).toBe(body.title);
    expect(e.problem).toMatchObject({ type: `${PROBLEM_TYPE_BASE}${code}`, instance: '/api/v1/agent/models' });
    expect(e.message).toBe(`${body.title}: detail for ${status}`);
  });

  test('a status without a class of its own is a plain AmbitAPIError', async () => {
    server.inject({ path: '/agent/models', status: 418, body: problem(418, 'short and stout') });

    const error = (await client.models.list().catch((e: unknown) => e)) as AmbitAPIError;

    expect(error.constructor).toBe(AmbitAPIError);
    expect(error.status).toBe(418);
  });

  test('a non-problem error body (a proxy page) still gives the status class and a readable message', async () => {
    server.inject({ path: '/agent/models', status: 502, body: '<html>Bad Gateway</html>' });

    const error = (await client.models.list().catch((e: unknown) => e)) as AmbitAPIError;

    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.problem).toBeUndefined();
    expect(error.code).toBeUndefined();
    expect(error.message).toBe('HTTP 502: <html>Bad Gateway</html>');
  });

  test('the real 401 of a wrong key and 404 of an unknown run come through as their classes', async () => {
    const wrongKey = new AmbitClient({ baseUrl: server.url, apiKey: 'wrong', maxRetries: 0 });

    const auth = await wrongKey.models.list().catch((e: unknown) => e);
    const missing = (await client.runs.get('nope').catch((e: unknown) => e)) as AmbitAPIError;

    expect(auth).toBeInstanceOf(AuthenticationError);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.code).toBe('resource_not_found');
    expect(missing.detail).toBe('run nope does not exist');
  });
});
