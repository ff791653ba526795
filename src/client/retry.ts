/** Retry rules of the official Oz SDKs, kept pure so they can be reasoned about and tested apart from HTTP. */

export const INITIAL_RETRY_DELAY_MS = 500;
export const MAX_RETRY_DELAY_MS = 8_000;
/** A server-requested delay longer than this is ignored in favour of the computed backoff. */
export const MAX_SERVER_RETRY_DELAY_MS = 60_000;

/** `x-should-retry` overrides everything; otherwise 408, 409, 429 and every 5xx are worth another try. */
export function shouldRetryResponse(status: number, headers: Headers): boolean {
  const override = headers.get('x-should-retry');
  if (override === 'true') return true;
  if (override === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Delay before retry number `attempt` (0 = first retry): `retry-after-ms`, else `Retry-After` in seconds or as an
 * HTTP date, else 0.5 s × 2^attempt capped at 8 s with up to 25 % jitter taken off.
 */
export function retryDelayMs(
  attempt: number,
  headers: Headers | undefined,
  now: number = Date.now(),
  random: () => number = Math.random,
): number {
  const requested = serverRequestedDelayMs(headers, now);
  if (requested !== undefined && requested >= 0 && requested < MAX_SERVER_RETRY_DELAY_MS) return requested;
  const base = Math.min(INITIAL_RETRY_DELAY_MS * 2 ** attempt, MAX_RETRY_DELAY_MS);
  return base * (1 - random() * 0.25);
}

function serverRequestedDelayMs(headers: Headers | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value)) return value;
  }
  const after = headers.get('retry-after');
  if (after === null || after.trim() === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
