import { z } from 'zod';

/** RFC 7807 problem body as the API sends it; extension members are kept. */
export const ProblemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  error: z.string().optional(),
  retryable: z.boolean().optional(),
  trace_id: z.string().optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export interface AmbitAPIErrorInit {
  status?: number;
  problem?: Problem;
  headers?: Headers;
  /** Raw body when it was not a problem document (a proxy's HTML page, plain text). */
  body?: string;
  cause?: unknown;
}

/**
 * Base of every error the client throws. `status` is the HTTP status (absent for connection failures), `code`
 * the last segment of the problem `type` (e.g. `resource_not_found`), `detail` the problem detail.
 */
export class AmbitAPIError extends Error {
  override readonly name: string = 'AmbitAPIError';
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly problem: Problem | undefined;
  readonly headers: Headers | undefined;
  readonly body: string | undefined;

  constructor(message: string, init: AmbitAPIErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.problem = init.problem;
    this.headers = init.headers;
    this.body = init.body;
    this.title = init.problem?.title;
    this.detail = init.problem?.detail;
    this.code = init.problem ? problemCode(init.problem.type) : undefined;
  }
}

export class BadRequestError extends AmbitAPIError {
  override readonly name = 'BadRequestError';
}
export class AuthenticationError extends AmbitAPIError {
  override readonly name = 'AuthenticationError';
}
export class PermissionDeniedError extends AmbitAPIError {
  override readonly name = 'PermissionDeniedError';
}
export class NotFoundError extends AmbitAPIError {
  override readonly name = 'NotFoundError';
}
export class ConflictError extends AmbitAPIError {
  override readonly name = 'ConflictError';
}
export class UnprocessableEntityError extends AmbitAPIError {
  override readonly name = 'UnprocessableEntityError';
}
export class RateLimitError extends AmbitAPIError {
  override readonly name = 'RateLimitError';
}
export class InternalServerError extends AmbitAPIError {
  override readonly name = 'InternalServerError';
}

/** The server could not be reached or the connection broke before a response arrived. */
export class APIConnectionError extends AmbitAPIError {
  override readonly name: string = 'APIConnectionError';
  readonly url: string;
  constructor(message: string, url: string, cause?: unknown) {
    super(message, { cause });
    this.url = url;
  }
}
export class APIConnectionTimeoutError extends APIConnectionError {
  override readonly name = 'APIConnectionTimeoutError';
}
/** The caller's own AbortSignal fired; never retried. */
export class APIUserAbortError extends AmbitAPIError {
  override readonly name = 'APIUserAbortError';
}
/** A 2xx response whose body does not match the contract's shape. */
export class AmbitResponseValidationError extends AmbitAPIError {
  override readonly name = 'AmbitResponseValidationError';
}

/** `https://…/errors/resource_not_found` → `resource_not_found`; a type without a path (about:blank) has no code. */
export function problemCode(type: string): string | undefined {
  const slash = type.lastIndexOf('/');
  if (slash < 0) return undefined;
  const code = type.slice(slash + 1);
  return code.length > 0 ? code : undefined;
}

const STATUS_CLASSES: Record<number, new (message: string, init: AmbitAPIErrorInit) => AmbitAPIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** Builds the error for a non-2xx response, reading the body as an RFC 7807 problem when it is one. */
export function errorFromResponse(status: number, headers: Headers, text: string): AmbitAPIError {
  const problem = parseProblem(text);
  const message = problem
    ? problem.detail
      ? `${problem.title}: ${problem.detail}`
      : problem.title
    : `HTTP ${status}${text.trim() ? `: ${summarize(text)}` : ' (empty body)'}`;
  const Class = STATUS_CLASSES[status] ?? (status >= 500 ? InternalServerError : AmbitAPIError);
  return new Class(message, { status, problem, headers, body: problem ? undefined : text });
}

function parseProblem(text: string): Problem | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = ProblemSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

function summarize(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

/** The caller passed parameters the client refuses to send; nothing went over the wire. */
export class AmbitInvalidRequestError extends Error {
  override readonly name = 'AmbitInvalidRequestError';
  readonly issues: readonly z.core.$ZodIssue[];
  constructor(what: string, error: z.ZodError) {
    super(`Invalid ${what}: ${formatIssues(error)}`);
    this.issues = error.issues;
  }
}

/** `runs.0.state: Invalid option …; page_info: Required` — one line, field paths first. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
