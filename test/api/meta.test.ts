/** Models, health and the generated OpenAPI document. */
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { createDb } from '../../src/db/client';
import type { HealthResponse, ListModelsResponse, Problem } from '../../src/domain';
import { startApiServer } from '../../src/api/server';
import { createTeam, silentLogger, startHarness, type Harness, type TeamKeys } from './helpers';

interface RouterLayer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** Every `METHOD /path` the Express app really serves, found by walking its routers. */
function servedRoutes(stack: RouterLayer[], prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods)) {
        out.push(`${method} ${prefix}${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...servedRoutes(layer.handle.stack, prefix + mount));
    }
  }
  return out;
}

describe('models, health and OpenAPI', () => {
  let h: Harness;
  let team: TeamKeys;

  beforeAll(async () => {
    h = await startHarness('postgres', {
      env: {
        OPENAI_API_KEY: 'sk-test',
        OPENAI_MODELS: 'gpt-4o, gpt-4o-mini',
        // Listed but not configured (no key, no base URL): not offered.
        ANTHROPIC_MODELS: 'claude-sonnet-4-5',
        OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:9/v1',
        OPENAI_COMPATIBLE_MODELS: 'llama-3.1-8b',
        AMBIT_DEFAULT_MODEL: 'anthropic/claude-opus-4-1',
      },
    });
    team = await createTeam(h.db, 'meta');
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('GET /agent/models', () => {
    it('lists the configured providers’ models and always the default', async () => {
      const res = await h.request<ListModelsResponse>('GET', '/api/v1/agent/models', { key: team.member });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        default_model_id: 'anthropic/claude-opus-4-1',
        models: [
          {
            id: 'anthropic/claude-opus-4-1',
            display_name: 'claude-opus-4-1',
            provider: 'ANTHROPIC',
            vision_supported: true,
          },
          { id: 'openai/gpt-4o', display_name: 'gpt-4o', provider: 'OPENAI', vision_supported: true },
          { id: 'openai/gpt-4o-mini', display_name: 'gpt-4o-mini', provider: 'OPENAI', vision_supported: true },
          {
            id: 'openai-compatible/llama-3.1-8b',
            display_name: 'llama-3.1-8b',
            provider: 'UNKNOWN',
            vision_supported: false,
          },
        ],
      });
    });

    it('prefers the team’s default model', async () => {
      const other = await createTeam(h.db, 'meta-default');
      await h.db.team.update({ where: { id: other.teamId }, data: { defaultModelId: 'openai/gpt-4o-mini' } });
      const res = await h.request<ListModelsResponse>('GET', '/api/v1/agent/models', { key: other.member });
      expect(res.body.default_model_id).toBe('openai/gpt-4o-mini');
      expect(res.body.models.map((m) => m.id)).toEqual([
        'openai/gpt-4o',
        'openai/gpt-4o-mini',
        'openai-compatible/llama-3.1-8b',
      ]);
    });
  });

  describe('GET /health', () => {
    it('answers 200 when the database and Temporal answer', async () => {
      const res = await h.request<HealthResponse>('GET', '/api/v1/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', database: 'ok', temporal: 'ok' });
    });

    it('answers 503 naming the database when it is unreachable', async () => {
      // Port 9 (discard) has no PostgreSQL: a real connection failure.
      const deadDb = createDb('postgres://postgres:postgres@127.0.0.1:9/none', { maxConnections: 1 });
      const server = await startApiServer({
        db: deadDb,
        temporal: h.temporal,
        config: h.config,
        logger: silentLogger,
        port: 0,
        host: '127.0.0.1',
      });
      try {
        const res = await fetch(`${server.url}/api/v1/health`);
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ status: 'degraded', database: 'down', temporal: 'ok' });
      } finally {
        await server.close();
        await deadDb.$disconnect();
      }
    });
  });

  describe('unexpected errors', () => {
    it('answer a generic 500 problem and log the cause with the trace id', async () => {
      const lines: Record<string, unknown>[] = [];
      const logger = pino(
        { level: 'info' },
        { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
      );
      const deadDb = createDb('postgres://postgres:postgres@127.0.0.1:9/none', { maxConnections: 1 });
      const server = await startApiServer({
        db: deadDb,
        temporal: h.temporal,
        config: h.config,
        logger,
        port: 0,
        host: '127.0.0.1',
      });
      try {
        const res = await fetch(`${server.url}/api/v1/agent/runs`, {
          headers: { authorization: `Bearer ${team.member}` },
        });
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        const body = (await res.json()) as Problem;
        expect(body.type.endsWith('/internal_error')).toBe(true);
        expect(body).toEqual({
          type: body.type,
          title: 'Internal error',
          status: 500,
          detail: 'an unexpected error occurred; retry, and report the trace_id if it persists',
          instance: '/api/v1/agent/runs',
          error: 'Internal error (an unexpected error occurred; retry, and report the trace_id if it persists)',
          retryable: true,
          trace_id: res.headers.get('x-request-id') ?? 'missing',
        });
        const logged = lines.find((l) => l['msg'] === 'unhandled error');
        expect(logged).toMatchObject({
          level: 50,
          requestId: body.trace_id,
          method: 'GET',
          path: '/api/v1/agent/runs',
        });
        expect(logged?.['err']).toBeDefined();
      } finally {
        await server.close();
        await deadDb.$disconnect();
      }
    });
  });

  describe('GET /openapi.json', () => {
    it('documents every route the app serves, generated from the zod schemas', async () => {
      const res = await h.request<{
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
        components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
      }>('GET', '/api/v1/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');

      const app = createApp({ db: h.db, temporal: h.temporal, config: h.config, logger: silentLogger });
      const served = servedRoutes((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
      expect(served.length).toBeGreaterThanOrEqual(11);
      const documented = Object.entries(res.body.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      );
      expect(documented.sort()).toEqual([...new Set(served)].sort());
      for (const expected of [
        'post /api/v1/agent/run',
        'post /api/v1/agent/runs',
        'get /api/v1/agent/runs',
        'get /api/v1/agent/runs/{runId}',
        'post /api/v1/agent/runs/{runId}/cancel',
        'get /api/v1/agent/runs/{runId}/conversation',
        'get /api/v1/agent/models',
        'get /api/v1/agent/tasks',
        'get /api/v1/agent/tasks/{taskId}',
        'post /api/v1/agent/tasks/{taskId}/cancel',
        'get /api/v1/health',
        'get /api/v1/openapi.json',
      ]) {
        expect(documented).toContain(expected);
      }
      for (const schema of [
        'RunAgentRequest',
        'RunAgentResponse',
        'RunItem',
        'ListRunsResponse',
        'ConversationResponse',
        'ListModelsResponse',
        'Error',
      ]) {
        expect(res.body.components.schemas).toHaveProperty(schema);
      }
      expect(res.body.components.securitySchemes).toHaveProperty('bearerAuth');
      // Field-level facts that only a generator reading the zod schemas gets right.
      const runAgent = res.body.components.schemas['RunAgentRequest'] as { properties: Record<string, unknown> };
      expect(Object.keys(runAgent.properties)).toEqual(
        expect.arrayContaining(['prompt', 'config', 'team', 'parent_run_id', 'attachments', 'metadata']),
      );
      const listParams = (res.body.paths['/api/v1/agent/runs']?.['get'] as { parameters: { name: string }[] })
        .parameters;
      expect(listParams.map((p) => p.name)).toEqual(
        expect.arrayContaining(['limit', 'cursor', 'sort_by', 'sort_order', 'state', 'name', 'q', 'metadata']),
      );
    });
  });
});
