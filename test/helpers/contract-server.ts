/**
 * A real HTTP server speaking the Agent API contract (/api/v1) from memory, with fault injection, for testing the
 * client and the CLI without the full stack. It validates requests with the domain's zod schemas and answers with
 * the contract's shapes, so a client that passes against it speaks the wire format. The real API is tested apart.
 */
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { RunAgentRequestSchema, isTerminalState, type RunState } from '../../src/domain';
import type { ConversationMessage, ConversationResponse, ListModelsResponse, RunItem } from '../../src/client';

export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/api/v1/agent/runs`. */
  path: string;
  query: URLSearchParams;
  /** The raw query string as sent (to check encoding). */
  rawQuery: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  at: number;
}

/** One scripted answer that replaces the contract's behaviour for matching requests. */
export interface Fault {
  method?: string;
  /** Matched against the path without `/api/v1`, e.g. `/agent/runs` or /^\/agent\/runs\/[^/]+$/. */
  path?: string | RegExp;
  /** How many matching requests it answers (default 1). */
  times?: number;
  status?: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless a string. Defaults to a problem document for the status. */
  body?: unknown;
  /** Wait this long before answering (to trigger client timeouts). */
  delayMs?: number;
  /** Drop the connection without answering. */
  destroy?: boolean;
}

/** One step of a scripted run's life, applied by a GET of the run. */
export interface RunFrame {
  state?: RunState;
  status_message?: RunItem['status_message'];
  /** Messages appended to the run's conversation. */
  messages?: ConversationMessage[];
}

export interface ContractServer {
  /** Server root, e.g. `http://127.0.0.1:41234` (the client appends /api/v1). */
  url: string;
  requests: RecordedRequest[];
  runs: Map<string, RunItem>;
  conversations: Map<string, ConversationResponse>;
  models: ListModelsResponse;
  inject(fault: Fault): void;
  /**
   * The next created run follows these frames: the n-th `GET /agent/runs/{id}` applies frames[n-1] before
   * answering (state and conversation change together, as in a real server).
   */
  scriptNextRun(frames: RunFrame[]): void;
  addRun(run: Partial<RunItem> & { run_id: string }): RunItem;
  /** Forgets requests, runs, conversations, scripts and unused faults, and restarts run ids: call it between tests. */
  reset(): void;
  close(): Promise<void>;
}

export interface ContractServerOptions {
  /** When set, every route but health requires `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

export const PROBLEM_TYPE_BASE = 'https://ambit.dev/errors/';
const TITLES: Record<number, [code: string, title: string]> = {
  400: ['invalid_request', 'Invalid request'],
  401: ['authentication_required', 'Authentication required'],
  403: ['not_authorized', 'Not authorized'],
  404: ['resource_not_found', 'Resource not found'],
  408: ['request_timeout', 'Request timeout'],
  409: ['conflict', 'Conflict'],
  422: ['operation_not_supported', 'Operation not supported'],
  429: ['resource_unavailable', 'Too many requests'],
  500: ['internal_error', 'Internal error'],
  502: ['resource_unavailable', 'Bad gateway'],
  503: ['resource_unavailable', 'Service unavailable'],
};

export function problem(status: number, detail?: string, instance = '/', code?: string) {
  const [defaultCode, title] = TITLES[status] ?? ['internal_error', `HTTP ${status}`];
  return {
    type: `${PROBLEM_TYPE_BASE}${code ?? defaultCode}`,
    title,
    status,
    ...(detail === undefined ? {} : { detail }),
    instance,
    error: detail === undefined ? title : `${title} (${detail})`,
    retryable: status === 409 || status === 429 || status >= 500,
  };
}

export async function startContractServer(options: ContractServerOptions = {}): Promise<ContractServer> {
  const requests: RecordedRequest[] = [];
  const runs = new Map<string, RunItem>();
  const conversations = new Map<string, ConversationResponse>();
  const scripts = new Map<string, RunFrame[]>();
  const faults: Fault[] = [];
  let pendingScript: RunFrame[] | undefined;
  let seq = 0;
  let url = '';
  const models: ListModelsResponse = {
    default_model_id: 'openai/gpt-4o-mini',
    models: [
      { id: 'openai/gpt-4o-mini', display_name: 'GPT-4o mini', provider: 'OPENAI', vision_supported: true },
      {
        id: 'anthropic/claude-sonnet-4-5',
        display_name: 'Claude Sonnet 4.5',
        provider: 'ANTHROPIC',
        vision_supported: true,
      },
    ],
  };

  const now = (): string => new Date(Date.now() + seq).toISOString();

  function addRun(partial: Partial<RunItem> & { run_id: string }): RunItem {
    seq += 1;
    const at = now();
    const run: RunItem = {
      task_id: partial.run_id,
      title: `Run ${seq}`,
      state: 'QUEUED',
      prompt: 'do something',
      created_at: at,
      updated_at: at,
      source: 'API',
      session_link: `${url}/runs/${partial.run_id}`,
      ...partial,
    };
    runs.set(run.run_id, run);
    return run;
  }

  function conversationOf(id: string): ConversationResponse {
    let c = conversations.get(id);
    if (!c) {
      c = { conversation_id: `conv-${id}`, steps: [{ id: `step-${id}`, messages: [], steps: [] }] };
      conversations.set(id, c);
    }
    return c;
  }

  function advance(run: RunItem): void {
    const frames = scripts.get(run.run_id);
    const frame = frames?.shift();
    if (!frame) return;
    if (frame.state) run.state = frame.state;
    if (frame.status_message) run.status_message = frame.status_message;
    if (frame.messages) conversationOf(run.run_id).steps[0]!.messages.push(...frame.messages);
    run.updated_at = now();
  }

  function handle(req: RecordedRequest, res: http.ServerResponse): void {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      const problemBody = status >= 400 && typeof body === 'object' && body !== null && 'type' in body;
      res.writeHead(status, {
        'content-type': problemBody ? 'application/problem+json' : 'application/json',
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, detail: string): void => send(status, problem(status, detail, req.path));
    const route = req.path.startsWith('/api/v1') ? req.path.slice('/api/v1'.length) : undefined;
    if (route === undefined) return fail(404, `no route ${req.path}; the API lives under /api/v1`);
    if (req.method === 'GET' && route === '/health') return send(200, { status: 'ok' });
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return fail(401, 'send Authorization: Bearer <api key>');
    }

    if (req.method === 'POST' && (route === '/agent/runs' || route === '/agent/run')) {
      const parsed = RunAgentRequestSchema.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return fail(400, `${issue.path.join('.')}: ${issue.message}`);
      }
      const id = `run_${String(seq + 1).padStart(4, '0')}`;
      const run = addRun({
        run_id: id,
        prompt: parsed.data.prompt ?? '',
        title: parsed.data.title ?? (parsed.data.prompt ?? 'run').slice(0, 60),
        source: parsed.data.source ?? 'API',
        agent_config: parsed.data.config ?? {},
        metadata: parsed.data.metadata,
        scope: { type: parsed.data.team === false ? 'User' : 'Team', uid: 'team_1' },
      });
      if (pendingScript) {
        scripts.set(id, pendingScript);
        pendingScript = undefined;
      }
      return send(200, { run_id: run.run_id, task_id: run.run_id, state: run.state });
    }

    if (req.method === 'GET' && route === '/agent/runs') {
      const limit = Number(req.query.get('limit') ?? '20');
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) return fail(400, 'limit must be 1 to 500');
      const states = req.query.getAll('state');
      const metadata = [...req.query.entries()]
        .filter(([k]) => k.startsWith('metadata[') && k.endsWith(']'))
        .map(([k, v]) => [k.slice('metadata['.length, -1), v] as const);
      const q = req.query.get('q')?.toLowerCase();
      const all = [...runs.values()]
        .filter((r) => states.length === 0 || states.includes(r.state))
        .filter((r) => !req.query.has('name') || r.agent_config?.['name'] === req.query.get('name'))
        .filter((r) => !req.query.has('model_id') || r.agent_config?.['model_id'] === req.query.get('model_id'))
        .filter((r) => !req.query.has('source') || r.source === req.query.get('source'))
        .filter((r) => !q || r.title.toLowerCase().includes(q) || r.prompt.toLowerCase().includes(q))
        .filter((r) => metadata.every(([k, v]) => r.metadata?.[k] === v))
        .sort((a, b) => b.created_at.localeCompare(a.created_at));
      const cursor = req.query.get('cursor');
      const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
      const page = all.slice(offset, offset + limit);
      const hasNext = offset + limit < all.length;
      return send(200, {
        runs: page,
        page_info: {
          has_next_page: hasNext,
          ...(hasNext ? { next_cursor: Buffer.from(String(offset + limit)).toString('base64url') } : {}),
        },
      });
    }

    const runRoute = /^\/agent\/runs\/([^/]+)(\/cancel|\/conversation)?$/.exec(route);
    if (runRoute) {
      const id = decodeURIComponent(runRoute[1]!);
      const run = runs.get(id);
      if (!run) return fail(404, `run ${id} does not exist`);
      if (req.method === 'GET' && runRoute[2] === undefined) {
        advance(run);
        return send(200, run);
      }
      if (req.method === 'GET' && runRoute[2] === '/conversation') return send(200, conversationOf(id));
      if (req.method === 'POST' && runRoute[2] === '/cancel') {
        if (isTerminalState(run.state) || run.state === 'BLOCKED') {
          return fail(400, `run ${id} is ${run.state} and can no longer be cancelled`);
        }
        if (run.state === 'PENDING') return fail(409, 'the run is being prepared; retry in a moment');
        run.state = 'CANCELLED';
        run.status_message = { message: 'Cancelled by user', error_code: 'cancelled' };
        run.updated_at = now();
        return send(200, id);
      }
    }

    if (req.method === 'GET' && route === '/agent/models') return send(200, models);
    return fail(404, `no route ${req.method} ${req.path}`);
  }

  function matchFault(req: RecordedRequest): Fault | undefined {
    const route = req.path.replace(/^\/api\/v1/, '');
    const index = faults.findIndex(
      (f) =>
        (f.method === undefined || f.method === req.method) &&
        (f.path === undefined || (typeof f.path === 'string' ? f.path === route : f.path.test(route))),
    );
    if (index < 0) return undefined;
    const fault = faults[index]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) faults.splice(index, 1);
    return fault;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = new URL(req.url ?? '/', 'http://localhost');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: target.pathname,
        query: target.searchParams,
        rawQuery: target.search.replace(/^\?/, ''),
        headers: req.headers,
        body,
        at: Date.now(),
      };
      requests.push(recorded);
      const fault = matchFault(recorded);
      if (!fault) return handle(recorded, res);
      const answer = (): void => {
        if (fault.destroy) {
          req.socket.destroy();
          return;
        }
        const status = fault.status ?? 500;
        const payload = fault.body ?? problem(status, `injected ${status}`, recorded.path);
        const isText = typeof payload === 'string';
        res.writeHead(status, {
          'content-type': isText ? 'text/plain' : status >= 400 ? 'application/problem+json' : 'application/json',
          ...fault.headers,
        });
        res.end(isText ? payload : JSON.stringify(payload));
      };
      if (fault.delayMs) {
        const timer = setTimeout(answer, fault.delayMs);
        res.on('close', () => clearTimeout(timer));
      } else {
        answer();
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    runs,
    conversations,
    models,
    inject: (fault) => faults.push({ ...fault }),
    scriptNextRun: (frames) => {
      pendingScript = frames.map((f) => ({ ...f }));
    },
    addRun,
    reset: () => {
      requests.length = 0;
      runs.clear();
      conversations.clear();
      scripts.clear();
      faults.length = 0;
      pendingScript = undefined;
      seq = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, read, released. */
export async function closedPort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
