import {
  AmbitAPIError,
  AmbitInvalidRequestError,
  AmbitResponseValidationError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  AuthenticationError,
} from '../client';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** A flag or argument the user must change; printed as one line and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ErrorContext {
  /** The server root the CLI talked to (already free of credentials). */
  apiUrl: string;
  apiKeyGiven: boolean;
  timeoutSeconds: number;
}

/** Turns any failure into one line for stderr and the exit code; never a stack trace. */
export function describeError(err: unknown, ctx: ErrorContext): { line: string; exitCode: number } {
  if (err instanceof UsageError || err instanceof AmbitInvalidRequestError) {
    return { line: `Error: ${err.message}`, exitCode: EXIT_USAGE };
  }
  if (err instanceof APIUserAbortError) return { line: 'Interrupted.', exitCode: EXIT_INTERRUPTED };
  if (err instanceof APIConnectionTimeoutError) {
    return {
      line:
        `Error: the Ambit API at ${ctx.apiUrl} did not answer within ${ctx.timeoutSeconds} s. ` +
        'Check that the server is healthy, or allow more time with --timeout <seconds>.',
      exitCode: EXIT_FAILURE,
    };
  }
  if (err instanceof APIConnectionError) {
    const reason = err.message.replace(/^Could not connect to \S+: /, '');
    return {
      line:
        `Error: cannot reach the Ambit API at ${ctx.apiUrl} (${reason}). ` +
        'Start it with `npm start`, or point --api-url / AMBIT_API_URL at a running server.',
      exitCode: EXIT_FAILURE,
    };
  }
  if (err instanceof AmbitResponseValidationError) return { line: `Error: ${err.message}`, exitCode: EXIT_FAILURE };
  if (err instanceof AmbitAPIError) {
    const hint =
      err instanceof AuthenticationError && !ctx.apiKeyGiven
        ? ' (no API key was given: set AMBIT_API_KEY or pass --api-key)'
        : '';
    const text = err.title ? (err.detail ? `${err.title}: ${err.detail}` : err.title) : err.message;
    return { line: `Error: ${oneLine(text)}${hint}`, exitCode: EXIT_FAILURE };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { line: `Error: ${oneLine(message)}`, exitCode: EXIT_FAILURE };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
