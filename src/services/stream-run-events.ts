/**
 * A run's timeline as it happens: the events recorded so far after `afterId`, then new ones as they are written,
 * until the run has ended and everything is delivered. The record is the source, so a client that reconnects with
 * the last id it saw gets exactly the events it missed, in order, without duplicates.
 */
import type { Principal } from '../db/api-keys';
import { isTerminalState, type RunState } from '../domain/run-state';
import type { ServiceDeps } from './deps';
import { findVisibleRun } from './run-access';

export interface RunEventMessage {
  id: string;
  run_id: string;
  type: string;
  created_at: string;
  data: unknown;
}

export interface StreamRunEventsInput {
  principal: Principal;
  runId: string;
  /** The last event id the client has (SSE `Last-Event-ID`); events after it are sent. */
  afterId?: bigint;
  signal: AbortSignal;
  send(event: RunEventMessage): void;
  /** Called when nothing was sent for a while, so proxies keep the connection open. */
  heartbeat(): void;
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
}

const PAGE = 500;

/** Waits `ms`, or less when the client goes away. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** Resolves when the run has ended and its last event was sent, or when the client goes away. */
export async function streamRunEvents(deps: Pick<ServiceDeps, 'db'>, input: StreamRunEventsInput): Promise<void> {
  const { db } = deps;
  await findVisibleRun(db, input.principal, input.runId);
  const pollMs = input.pollIntervalMs ?? 250;
  const heartbeatMs = input.heartbeatIntervalMs ?? 15_000;
  let after = input.afterId ?? 0n;
  let lastSent = Date.now();
  while (!input.signal.aborted) {
    // Read the state before the events: an end recorded after this read still gets one more pass.
    const run = await db.run.findUnique({ where: { id: input.runId }, select: { state: true } });
    const events = await db.runEvent.findMany({
      where: { runId: input.runId, id: { gt: after } },
      orderBy: { id: 'asc' },
      take: PAGE,
    });
    for (const e of events) {
      if (input.signal.aborted) return;
      input.send({
        id: e.id.toString(),
        run_id: e.runId,
        type: e.type,
        created_at: e.createdAt.toISOString(),
        data: e.data,
      });
      after = e.id;
      lastSent = Date.now();
    }
    if (events.length === PAGE) continue;
    if (!run || isTerminalState(run.state as RunState)) return;
    if (Date.now() - lastSent >= heartbeatMs) {
      input.heartbeat();
      lastSent = Date.now();
    }
    await sleepUnlessAborted(pollMs, input.signal);
  }
}
