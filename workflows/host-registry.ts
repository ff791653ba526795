/**
 * The host registry: one long-lived workflow (id `<prefix>-hosts`) that every host worker signal-with-starts
 * periodically and whenever its runs change. Temporal is the transport, so a host worker in another network needs
 * nothing but its Temporal connection to be listed. `GET /hosts` queries it; liveness is judged by the reader from
 * `lastSeen` (a workflow has no wall clock of its own to judge it by).
 */
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { listHostWorkersQuery, reportHostSignal, type HostWorkerReport, type HostWorkerState } from './definitions';

/** Reports kept per execution before continuing as new (each is one history event). */
const REPORTS_PER_EXECUTION = 2000;
/** A worker that has not reported for this long is forgotten. */
const FORGET_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

export interface HostRegistryInput {
  workers?: HostWorkerState[];
}

export async function hostRegistryWorkflow(input: HostRegistryInput = {}): Promise<void> {
  const workers = new Map<string, HostWorkerState>((input.workers ?? []).map((w) => [w.workerId, w]));
  let reports = 0;
  setHandler(reportHostSignal, (report: HostWorkerReport) => {
    reports += 1;
    const previous = workers.get(report.workerId);
    // Signals can arrive out of order after a reconnect: an older report never overwrites a newer one.
    if (previous && previous.lastSeen > report.reportedAt) return;
    workers.set(report.workerId, {
      workerId: report.workerId,
      hostId: report.hostId,
      capacity: report.capacity,
      runIds: report.runIds,
      lastSeen: report.reportedAt,
      stopped: report.stopping === true,
    });
    const cutoff = new Date(Date.now() - FORGET_AFTER_MS).toISOString();
    for (const [id, w] of workers) if (w.lastSeen < cutoff) workers.delete(id);
  });
  setHandler(listHostWorkersQuery, () => [...workers.values()]);
  await condition(() => reports >= REPORTS_PER_EXECUTION || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof hostRegistryWorkflow>({ workers: [...workers.values()] });
}
