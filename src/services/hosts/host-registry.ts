/** Reading the host registry workflow that host workers report to (see workflows/host-registry.ts). */
import { WorkflowNotFoundError } from '@temporalio/client';
import { hostRegistryWorkflowId } from '../../config';
import type { HostItem } from '../../domain';
import { listHostWorkersQuery, type HostWorkerState } from '../../../workflows/definitions';
import type { ServiceDeps } from '../deps';

/** Reports missed before a host counts as offline. */
const MISSED_REPORTS = 3;
/** Names a run may give in config.worker_host for the platform's own host. */
const PLATFORM_HOST_ALIASES = new Set(['warp', 'default']);

/** The host a run's config.worker_host selects. */
export function hostIdOf(workerHost: string | undefined, defaultHostId: string): string {
  return !workerHost || PLATFORM_HOST_ALIASES.has(workerHost) ? defaultHostId : workerHost;
}

/** Every worker that reported, newest state each; empty when none ever did. */
export async function readHostWorkers(deps: Pick<ServiceDeps, 'temporal' | 'config'>): Promise<HostWorkerState[]> {
  const handle = deps.temporal.workflow.getHandle(hostRegistryWorkflowId(deps.config.temporal.taskQueuePrefix));
  try {
    return await handle.query(listHostWorkersQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return [];
    throw err;
  }
}

/** One entry per host id, from its workers' reports (`run_ids` unfiltered: the caller filters by visibility). */
export function summarizeHosts(
  workers: HostWorkerState[],
  options: { now: number; reportIntervalMs: number },
): HostItem[] {
  const byHost = new Map<string, HostWorkerState[]>();
  for (const w of workers) byHost.set(w.hostId, [...(byHost.get(w.hostId) ?? []), w]);
  const staleBefore = options.now - MISSED_REPORTS * options.reportIntervalMs;
  const hosts: HostItem[] = [];
  for (const [id, all] of byHost) {
    const live = all.filter((w) => !w.stopped && Date.parse(w.lastSeen) >= staleBefore);
    const newest = all.reduce((a, b) => (a.lastSeen >= b.lastSeen ? a : b));
    const runIds = [...new Set(live.flatMap((w) => w.runIds))].sort();
    const capacity = live.length ? live.reduce((sum, w) => sum + w.capacity, 0) : newest.capacity;
    hosts.push({
      id,
      live: live.length > 0,
      capacity,
      running_runs: runIds.length,
      run_ids: runIds,
      at_capacity: live.length > 0 && runIds.length >= capacity,
      last_seen: newest.lastSeen,
      workers: live.length,
    });
  }
  return hosts.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Whether the host a new run goes to is full (for the create response's `at_capacity`). Best effort: a registry
 * that cannot be read answers false rather than failing the run's creation.
 */
export async function isHostAtCapacity(
  deps: Pick<ServiceDeps, 'temporal' | 'config' | 'logger'>,
  workerHost: string | undefined,
): Promise<boolean> {
  const hostId = hostIdOf(workerHost, deps.config.worker.hostId);
  try {
    const hosts = summarizeHosts(await readHostWorkers(deps), {
      now: Date.now(),
      reportIntervalMs: deps.config.host.reportIntervalMs,
    });
    return hosts.find((h) => h.id === hostId)?.at_capacity ?? false;
  } catch (err) {
    deps.logger.warn({ err, hostId }, 'could not read the host registry; answering at_capacity: false');
    return false;
  }
}
