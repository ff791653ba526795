/**
 * The one error type services and routes throw for an answer the client should see. The API's error handler turns
 * it into an RFC 7807 problem; anything that is not an AppError becomes a generic 500.
 */

interface ErrorCodeInfo {
  status: number;
  title: string;
  retryable: boolean;
}

/** Codes of the Agent API contract. The official SDKs retry 409, 429 and >= 500, so `retryable` follows that. */
export const ERROR_CODES = {
  invalid_request: { status: 400, title: 'Invalid request', retryable: false },
  authentication_required: { status: 401, title: 'Authentication required', retryable: false },
  not_authorized: { status: 403, title: 'Not authorized', retryable: false },
  budget_exceeded: { status: 403, title: 'Budget exceeded', retryable: false },
  resource_not_found: { status: 404, title: 'Resource not found', retryable: false },
  conflict: { status: 409, title: 'Conflict', retryable: true },
  operation_not_supported: { status: 422, title: 'Operation not supported', retryable: false },
  resource_unavailable: { status: 500, title: 'Resource unavailable', retryable: true },
  internal_error: { status: 500, title: 'Internal error', retryable: true },
  environment_setup_failed: { status: 500, title: 'Environment setup failed', retryable: false },
} as const satisfies Record<string, ErrorCodeInfo>;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface AppErrorOptions {
  /** Overrides the code's default status (e.g. 429 or 503 for resource_unavailable). */
  status?: number;
  retryable?: boolean;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly status: number;
  readonly title: string;
  readonly retryable: boolean;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    opts: AppErrorOptions = {},
  ) {
    super(`${code}: ${detail}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    const info: ErrorCodeInfo = ERROR_CODES[code];
    this.status = opts.status ?? info.status;
    this.title = info.title;
    this.retryable = opts.retryable ?? info.retryable;
    this.headers = opts.headers ?? {};
  }
}

export function notFound(what: string, id: string): AppError {
  return new AppError(
    'resource_not_found',
    `${what} ${JSON.stringify(id)} does not exist or is not visible to this API key`,
  );
}
