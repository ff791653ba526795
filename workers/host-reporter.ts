import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Client } from '@temporalio/client';
import type { HostSlots } from '../activities/environment/host-slots';
import { hostRegistryWorkflowId, runsTaskQueue } from '../src/config';
import type { Logger } from '../src/logger';
import { HOST_REGISTRY_WORKFLOW_TYPE, reportHostSignal, type HostWorkerReport } from '../workflows/definitions';
import type { HostRegistryInput } from '../workflows/host-registry';

/** How long stopping waits to tell the registry; the host is listed offline after missed reports otherwise. */
const STOP_REPORT_DEADLINE_MS = 2000;

export interface HostReporter {
  workerId: string;
  /** Reports now (also done on every change of the host's runs). */
  report(): Promise<void>;
  /** Stops reporting and tells the registry this worker is gone, so the host is listed offline at once. */
  stop(): Promise<void>;
}

/**
 * Reports this host worker to the registry workflow through Temporal (signal-with-start), every `intervalMs` and
 * whenever a run takes or frees a slot. Failures are logged and retried at the next report: the registry is for
 * listing hosts, never on a run's path.
 */
export function startHostReporter(deps: {
  client: Client;
  prefix: string;
  slots: HostSlots;
  intervalMs: number;
  logger: Logger;
}): HostReporter {
  const workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let stopped = false;
  let inFlight: Promise<void> | undefined;
  let again = false;

  const send = async (stopping: boolean) => {
    const report: HostWorkerReport = {
      workerId,
      hostId: deps.slots.hostId,
      capacity: deps.slots.capacity,
      runIds: deps.slots.runIds(),
      reportedAt: new Date().toISOString(),
      ...(stopping ? { stopping: true } : {}),
    };
    const args: [HostRegistryInput] = [{}];
    await deps.client.workflow.signalWithStart(HOST_REGISTRY_WORKFLOW_TYPE, {
      workflowId: hostRegistryWorkflowId(deps.prefix),
      taskQueue: runsTaskQueue(deps.prefix),
      args,
      signal: reportHostSignal,
      signalArgs: [report],
    });
  };

  // One report at a time; changes during a report trigger one more after it.
  const report = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = send(false)
      .catch((err: unknown) => deps.logger.warn({ err }, 'could not report this host to the registry; retrying later'))
      .finally(() => {
        inFlight = undefined;
        if (again) {
          again = false;
          void report();
        }
      });
    return inFlight;
  };

  const unsubscribe = deps.slots.onChange(() => void report());
  const timer = setInterval(() => void report(), deps.intervalMs);
  timer.unref();
  void report();

  return {
    workerId,
    report,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      await inFlight;
      // Bounded: when the whole platform stops, Temporal may already be gone, and the registry marks a silent worker
      // offline after three missed reports anyway.
      await deps.client
        .withDeadline(Date.now() + STOP_REPORT_DEADLINE_MS, () => send(true))
        .catch((err: unknown) =>
          deps.logger.info(
            { reason: err instanceof Error ? err.message : String(err) },
            'could not tell the registry this host worker stopped; it will be listed offline after missed reports',
          ),
        );
    },
  };
}
