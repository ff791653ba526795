import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type RunAgentRequest } from '../domain';
import {
  AgentResource,
  McpServersResource,
  PromptsResource,
  RulesResource,
  TeamResource,
  VarSetsResource,
} from './config-objects';
import { ApiKeysResource } from './api-keys';
import { AuditResource } from './audit';
import { EnvironmentsResource } from './environments';
import { MembersResource } from './members';
import { HostsResource } from './hosts';
import { IntegrationsResource } from './integrations';
import { SchedulesResource } from './schedules';
import { SecretsResource } from './secrets';
import { AmbitInvalidRequestError, APIConnectionError, APIUserAbortError, InternalServerError } from './errors';
import { Transport, type FetchLike, type RequestOptions } from './http';
import { encodeListRunsQuery, type ListRunsParams } from './query';
import { retryDelayMs } from './retry';
import { parseSse } from './sse';
import {
  ApprovalDecisionResponseSchema,
  InterruptRunResponseSchema,
  CancelRunResponseSchema,
  FollowupResponseSchema,
  RunEventSchema,
  ConversationResponseSchema,
  HealthResponseSchema,
  ListModelsResponseSchema,
  ListRunsResponseSchema,
  RunAgentResponseSchema,
  RunItemSchema,
  type ApprovalDecisionResponse,
  type InterruptRunResponse,
  type ConversationResponse,
  type FollowupResponse,
  type RunEvent,
  type HealthResponse,
  type ListModelsResponse,
  type ListRunsResponse,
  type RunAgentResponse,
  type RunItem,
} from './schemas';

export const CLIENT_VERSION = '0.1.0';
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;
const API_PREFIX = '/api/v1';

export const AmbitClientOptionsSchema = z.object({
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'baseUrl must be an absolute http(s) URL such as http://localhost:3000' })
    .refine((u) => !hasCredentials(u), 'baseUrl must not contain credentials: pass the key as apiKey')
    .transform(apiRootOf),
  apiKey: z.string().min(1, 'apiKey must not be empty; omit it to call only public routes').optional(),
  timeoutMs: z
    .number()
    .int()
    .positive('timeoutMs must be a positive number of milliseconds')
    .default(DEFAULT_TIMEOUT_MS),
  maxRetries: z.number().int().min(0, 'maxRetries must be 0 or more').default(DEFAULT_MAX_RETRIES),
  fetch: z.custom<FetchLike>((f) => typeof f === 'function', 'fetch must be a function').optional(),
});
export type AmbitClientOptions = z.input<typeof AmbitClientOptionsSchema>;

export function hasCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}

/** Accept both the server root and the API root (what users of the Oz SDKs pass as `baseURL`). */
function apiRootOf(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith(API_PREFIX) ? trimmed : `${trimmed}${API_PREFIX}`;
}

function runPath(id: string, suffix = ''): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new AmbitInvalidRequestError(
      'run id',
      new z.ZodError([{ code: 'custom', path: ['id'], message: 'a run id is required', input: id }]),
    );
  }
  return `/agent/runs/${encodeURIComponent(id)}${suffix}`;
}

export class RunsResource {
  constructor(private readonly transport: Transport) {}

  /**
   * Starts a run. Retries reuse one `Idempotency-Key`, so a server that honours it never starts the run twice when
   * a response is lost.
   */
  async create(request: RunAgentRequest, options?: RequestOptions): Promise<RunAgentResponse> {
    return await this.transport.request(
      { method: 'POST', path: '/agent/runs', body: request, headers: { 'idempotency-key': `ambit-${randomUUID()}` } },
      RunAgentResponseSchema,
      options,
    );
  }

  /** One page of runs; follow `page_info.next_cursor` (or use `listAll`) for the rest. */
  async list(params?: ListRunsParams, options?: RequestOptions): Promise<ListRunsResponse> {
    return await this.transport.request(
      { method: 'GET', path: '/agent/runs', query: encodeListRunsQuery(params) },
      ListRunsResponseSchema,
      options,
    );
  }

  /** Every run matching `params`, fetching the next cursor page only when the previous one is consumed. */
  async *listAll(params: ListRunsParams = {}, options?: RequestOptions): AsyncGenerator<RunItem, void, undefined> {
    for await (const page of this.pages(params, options)) yield* page.runs;
  }

  /** The pages behind `listAll`, for callers that want page boundaries. */
  async *pages(
    params: ListRunsParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<ListRunsResponse, void, undefined> {
    let cursor = params.cursor;
    for (;;) {
      const page = await this.list({ ...params, cursor }, options);
      yield page;
      const next = page.page_info.next_cursor;
      if (!page.page_info.has_next_page || !next || next === cursor) return;
      cursor = next;
    }
  }

  async get(id: string, options?: RequestOptions): Promise<RunItem> {
    return await this.transport.request({ method: 'GET', path: runPath(id) }, RunItemSchema, options);
  }

  /** Resolves to the cancelled run's id. */
  async cancel(id: string, options?: RequestOptions): Promise<string> {
    return await this.transport.request(
      { method: 'POST', path: runPath(id, '/cancel') },
      CancelRunResponseSchema,
      options,
    );
  }

  /**
   * Sends a follow-up: a working run sees it at its next step; an ended run starts a new execution. Not retried
   * after a response is lost (a second delivery would be a second message).
   */
  async followup(
    id: string,
    body: { message: string; mode?: 'normal' | 'plan' | 'orchestrate' },
    options?: RequestOptions,
  ): Promise<FollowupResponse> {
    return await this.transport.request(
      { method: 'POST', path: runPath(id, '/followups'), body },
      FollowupResponseSchema,
      { maxRetries: 0, ...options },
    );
  }

  /**
   * Approves or denies the tool call a BLOCKED run waits for (`action_id` defaults to the one pending). Not retried
   * after a response is lost: the run may have moved on to its next gate.
   */
  async decideApproval(
    id: string,
    body: { decision: 'approve' | 'deny'; action_id?: string; comment?: string },
    options?: RequestOptions,
  ): Promise<ApprovalDecisionResponse> {
    return await this.transport.request(
      { method: 'POST', path: runPath(id, '/approvals'), body },
      ApprovalDecisionResponseSchema,
      { maxRetries: 0, ...options },
    );
  }

  /**
   * Stops the agent's current step; the run waits BLOCKED until a follow-up (`followup`) gives it instructions.
   * Not retried after a response is lost: a second interrupt would be refused as already waiting.
   */
  async interrupt(id: string, options?: RequestOptions): Promise<InterruptRunResponse> {
    return await this.transport.request(
      { method: 'POST', path: runPath(id, '/interrupt') },
      InterruptRunResponseSchema,
      { maxRetries: 0, ...options },
    );
  }

  /**
   * The run's events as they happen, from after `lastEventId` (or the start), until the run has ended. A dropped
   * connection is resumed with Last-Event-ID, so no event is missed or repeated.
   */
  async *events(
    id: string,
    options: RequestOptions & { lastEventId?: string; maxReconnects?: number } = {},
  ): AsyncGenerator<RunEvent> {
    let lastEventId = options.lastEventId;
    const maxReconnects = options.maxReconnects ?? 10;
    for (let failures = 0; ;) {
      let ended = false;
      try {
        const res = await this.transport.openStream(
          { method: 'GET', path: runPath(id, '/events'), headers: lastEventId ? { 'last-event-id': lastEventId } : {} },
          options,
        );
        for await (const message of parseSse(res.body!)) {
          if (message.event === 'end') {
            ended = true;
            break;
          }
          const parsed = RunEventSchema.safeParse(JSON.parse(message.data));
          if (!parsed.success) continue;
          lastEventId = message.id ?? parsed.data.id;
          failures = 0;
          yield parsed.data;
        }
      } catch (err) {
        if (err instanceof APIUserAbortError || !(err instanceof APIConnectionError || err instanceof TypeError))
          throw err;
      }
      if (ended || options.signal?.aborted) return;
      if (++failures > maxReconnects) throw new APIConnectionError(`the event stream of run ${id} kept dropping`, id);
      await new Promise((r) => setTimeout(r, retryDelayMs(failures - 1, undefined)));
    }
  }

  async conversation(id: string, options?: RequestOptions): Promise<ConversationResponse> {
    return await this.transport.request(
      { method: 'GET', path: runPath(id, '/conversation') },
      ConversationResponseSchema,
      options,
    );
  }
}

export class ModelsResource {
  constructor(private readonly transport: Transport) {}

  async list(options?: RequestOptions): Promise<ListModelsResponse> {
    return await this.transport.request({ method: 'GET', path: '/agent/models' }, ListModelsResponseSchema, options);
  }
}

/** Typed client of the Ambit Agent API (wire-compatible with the Oz Agent API v1). */
export class AmbitClient {
  readonly runs: RunsResource;
  readonly models: ModelsResource;
  readonly environments: EnvironmentsResource;
  readonly apiKeys: ApiKeysResource;
  readonly members: MembersResource;
  readonly audit: AuditResource;
  readonly team: TeamResource;
  readonly rules: RulesResource;
  readonly prompts: PromptsResource;
  readonly mcpServers: McpServersResource;
  readonly varSets: VarSetsResource;
  readonly agent: AgentResource;
  readonly hosts: HostsResource;
  readonly schedules: SchedulesResource;
  readonly integrations: IntegrationsResource;
  readonly secrets: SecretsResource;
  /** The API root every path is resolved against, e.g. `http://localhost:3000/api/v1`. */
  readonly apiRoot: string;
  private readonly transport: Transport;

  constructor(options: AmbitClientOptions) {
    const parsed = AmbitClientOptionsSchema.safeParse(options);
    if (!parsed.success) throw new AmbitInvalidRequestError('client options', parsed.error);
    const o = parsed.data;
    this.apiRoot = o.baseUrl;
    this.transport = new Transport({
      apiRoot: o.baseUrl,
      apiKey: o.apiKey,
      timeoutMs: o.timeoutMs,
      maxRetries: o.maxRetries,
      fetch: o.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      userAgent: `ambit-client/${CLIENT_VERSION}`,
    });
    this.runs = new RunsResource(this.transport);
    this.models = new ModelsResource(this.transport);
    this.environments = new EnvironmentsResource(this.transport);
    this.apiKeys = new ApiKeysResource(this.transport);
    this.members = new MembersResource(this.transport);
    this.audit = new AuditResource(this.transport);
    this.team = new TeamResource(this.transport);
    this.rules = new RulesResource(this.transport);
    this.prompts = new PromptsResource(this.transport);
    this.mcpServers = new McpServersResource(this.transport);
    this.varSets = new VarSetsResource(this.transport);
    this.agent = new AgentResource(this.transport);
    this.hosts = new HostsResource(this.transport);
    this.schedules = new SchedulesResource(this.transport);
    this.integrations = new IntegrationsResource(this.transport);
    this.secrets = new SecretsResource(this.transport);
  }

  /**
   * Liveness of the API server and what it depends on; needs no API key. A degraded server answers 503 with the
   * same body, which is returned rather than thrown, and not retried by default: a probe wants the answer now.
   */
  async health(options?: RequestOptions): Promise<HealthResponse> {
    try {
      return await this.transport.request({ method: 'GET', path: '/health' }, HealthResponseSchema, {
        maxRetries: 0,
        ...options,
      });
    } catch (err) {
      if (err instanceof InternalServerError && err.status === 503 && err.body !== undefined) {
        const degraded = HealthResponseSchema.safeParse(safeJson(err.body));
        if (degraded.success) return degraded.data;
      }
      throw err;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
