import { Context } from '@temporalio/activity';

const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * Heartbeats while `fn` runs, so a crashed worker's activity is retried after the heartbeat timeout rather than
 * the whole start-to-close timeout, and so cancellation reaches the activity. Passes the activity's abort signal.
 */
export async function withHeartbeat<T>(fn: (signal: AbortSignal) => Promise<T>, details?: () => unknown): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat(details?.());
  const timer = setInterval(() => ctx.heartbeat(details?.()), HEARTBEAT_INTERVAL_MS);
  try {
    return await fn(ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
