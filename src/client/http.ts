import { type z } from 'zod';
import {
  AmbitResponseValidationError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  errorFromResponse,
  formatIssues,
} from './errors';
import { retryDelayMs, shouldRetryResponse } from './retry';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Per-call overrides of the client's defaults. */
export interface RequestOptions {
  /** Aborts the call (and any pending retry wait) when it fires: the call rejects with `APIUserAbortError`. */
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
  headers?: Record<string, string>;
}

export interface TransportOptions {
  /** Root of the API, e.g. `http://localhost:3000/api/v1`. */
  apiRoot: string;
  apiKey: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  fetch: FetchLike;
  userAgent: string;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  headers?: Record<string, string>;
}

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

class AttemptTimeout extends Error {}

/**
 * Sends one logical request: each attempt gets its own timeout, failures the SDK rules call transient are retried
 * with backoff, and a 2xx body is parsed with the given schema.
 */
export class Transport {
  constructor(private readonly options: TransportOptions) {}

  get apiRoot(): string {
    return this.options.apiRoot;
  }

  async request<S extends z.ZodType>(spec: RequestSpec, schema: S, options: RequestOptions = {}): Promise<z.output<S>> {
    const url = this.url(spec);
    const maxRetries = options.maxRetries ?? this.options.maxRetries;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < maxRetries;
      let response: RawResponse;
      try {
        response = await this.attempt(url, spec, options, timeoutMs, attempt);
      } catch (err) {
        if (err instanceof APIUserAbortError || !canRetry) throw err;
        await sleep(retryDelayMs(attempt, undefined), options.signal);
        continue;
      }
      if (response.status >= 200 && response.status < 300) return parseBody(spec, url, response, schema);
      if (canRetry && shouldRetryResponse(response.status, response.headers)) {
        await sleep(retryDelayMs(attempt, response.headers), options.signal);
        continue;
      }
      throw errorFromResponse(response.status, response.headers, response.text);
    }
  }

  /**
   * Opens a long-lived response (Server-Sent Events). Connecting is bounded by the timeout, the stream itself is
   * not; a non-2xx answer throws the matching error class. The caller reads and closes the body.
   */
  async openStream(spec: RequestSpec, options: RequestOptions = {}): Promise<Response> {
    const url = this.url(spec);
    if (options.signal?.aborted) throw new APIUserAbortError('Request was aborted.');
    const controller = new AbortController();
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), timeoutMs);
    const onUserAbort = (): void => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onUserAbort, { once: true });
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      'user-agent': this.options.userAgent,
      ...spec.headers,
      ...options.headers,
    };
    if (this.options.apiKey) headers['authorization'] = `Bearer ${this.options.apiKey}`;
    let res: Response;
    try {
      res = await this.options.fetch(url, { method: spec.method, headers, signal: controller.signal });
    } catch (err) {
      options.signal?.removeEventListener('abort', onUserAbort);
      if (options.signal?.aborted) throw new APIUserAbortError('Request was aborted.', { cause: err });
      if (controller.signal.reason instanceof AttemptTimeout) {
        throw new APIConnectionTimeoutError(`Request to ${redact(url)} timed out after ${timeoutMs} ms.`, url, err);
      }
      throw new APIConnectionError(`Could not connect to ${redact(url)}: ${describeCause(err)}`, url, err);
    } finally {
      clearTimeout(timer);
    }
    if (res.status < 200 || res.status >= 300) {
      options.signal?.removeEventListener('abort', onUserAbort);
      throw errorFromResponse(res.status, res.headers, await res.text());
    }
    return res;
  }

  private url(spec: RequestSpec): string {
    const query = spec.query?.toString();
    return `${this.options.apiRoot}${spec.path}${query ? `?${query}` : ''}`;
  }

  private async attempt(
    url: string,
    spec: RequestSpec,
    options: RequestOptions,
    timeoutMs: number,
    attempt: number,
  ): Promise<RawResponse> {
    if (options.signal?.aborted) throw new APIUserAbortError('Request was aborted.');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), timeoutMs);
    const onUserAbort = (): void => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onUserAbort, { once: true });
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.options.userAgent,
      'x-ambit-retry-count': String(attempt),
      ...spec.headers,
      ...options.headers,
    };
    if (this.options.apiKey) headers['authorization'] = `Bearer ${this.options.apiKey}`;
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    try {
      // The body is read under the same timer: a server that sends headers and then stalls is still a timeout.
      const res = await this.options.fetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: controller.signal,
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text };
    } catch (err) {
      if (options.signal?.aborted) throw new APIUserAbortError('Request was aborted.', { cause: err });
      if (controller.signal.reason instanceof AttemptTimeout) {
        throw new APIConnectionTimeoutError(`Request to ${redact(url)} timed out after ${timeoutMs} ms.`, url, err);
      }
      throw new APIConnectionError(`Could not connect to ${redact(url)}: ${describeCause(err)}`, url, err);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onUserAbort);
    }
  }
}

function parseBody<S extends z.ZodType>(spec: RequestSpec, url: string, res: RawResponse, schema: S): z.output<S> {
  const where = `${spec.method} ${new URL(url).pathname}`;
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw new AmbitResponseValidationError(
      `Unexpected response from ${where}: the body is not JSON (${res.text.slice(0, 80) || 'empty'}).`,
      { status: res.status, headers: res.headers, body: res.text },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new AmbitResponseValidationError(
      `Unexpected response from ${where}: ${formatIssues(parsed.error)}. The server does not speak this client's API version.`,
      { status: res.status, headers: res.headers, body: res.text },
    );
  }
  return parsed.data;
}

/** Node's fetch hides the socket error (ECONNREFUSED, ENOTFOUND) in `cause`. */
export function describeCause(err: unknown): string {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (typeof code === 'string') return code;
  if (cause instanceof Error && cause.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** Never let credentials that a user put in a URL reach a message. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new APIUserAbortError('Request was aborted.'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new APIUserAbortError('Request was aborted.'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
