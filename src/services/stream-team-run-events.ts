/**
 * The run list as it changes: state changes (a new run is its QUEUED event) of every run the principal can see,
 * from the record, after `afterId`. Resumable with the last id like a run's own stream; it never ends by itself.
 */
import type { Principal } from '../db/api-keys';
import type { ServiceDeps } from './deps';
import { visibleRunsWhere } from './run-access';
import { sleepUnlessAborted, type RunEventMessage } from './stream-run-events';

export interface StreamTeamRunEventsInput {
  principal: Principal;
  afterId?: bigint;
  signal: AbortSignal;
  send(event: RunEventMessage & { run: { title: string; state: string; source: string } }): void;
  heartbeat(): void;
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
}

const PAGE = 500;

/**
 * Where a stream without Last-Event-ID starts: now (a list page already shows what happened before). Read it before
 * the response starts, so nothing written after the client sees the stream open can be missed.
 */
export async function latestEventId(db: ServiceDeps['db']): Promise<bigint> {
  return (await db.runEvent.aggregate({ _max: { id: true } }))._max.id ?? 0n;
}

export async function streamTeamRunEvents(
  deps: Pick<ServiceDeps, 'db'>,
  input: StreamTeamRunEventsInput,
): Promise<void> {
  const { db } = deps;
  const pollMs = input.pollIntervalMs ?? 500;
  const heartbeatMs = input.heartbeatIntervalMs ?? 15_000;
  let after = input.afterId ?? (await latestEventId(db));
  let lastSent = Date.now();
  while (!input.signal.aborted) {
    const events = await db.runEvent.findMany({
      where: { id: { gt: after }, type: 'state_changed', run: visibleRunsWhere(input.principal) },
      include: { run: { select: { title: true, state: true, source: true } } },
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
        run: e.run,
      });
      after = e.id;
      lastSent = Date.now();
    }
    if (events.length === PAGE) continue;
    if (Date.now() - lastSent >= heartbeatMs) {
      input.heartbeat();
      lastSent = Date.now();
    }
    await sleepUnlessAborted(pollMs, input.signal);
  }
}
