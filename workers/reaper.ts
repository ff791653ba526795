import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type Docker from 'dockerode';
import { reapContainers } from '../activities/environment/docker';
import type { Db } from '../src/db/client';
import { isTerminalState, type RunState } from '../src/domain/run-state';
import type { Logger } from '../src/logger';

const REAP_INTERVAL_MS = 5 * 60_000;

/**
 * Removes run containers the normal teardown could not (a worker killed mid-run, a crash during cleanup): those
 * whose run has ended or that the database does not know. Runs at start-up, then every few minutes.
 */
export function startReaper(
  deps: { docker: Docker; logger: Logger; intervalMs?: number } & (
    | { db: Db }
    | {
        /** A host worker without a database asks Temporal instead. */ isRunActive: (runId: string) => Promise<boolean>;
      }
  ),
): {
  stop(): void;
  once(): Promise<void>;
} {
  const isRunActive =
    'isRunActive' in deps
      ? deps.isRunActive
      : async (runId: string) => {
          const run = await deps.db.run.findUnique({ where: { id: runId }, select: { state: true } });
          return run !== null && !isTerminalState(run.state as RunState);
        };
  const once = async () => {
    try {
      const result = await reapContainers({ docker: deps.docker, isRunActive });
      if (result.removed.length)
        deps.logger.info({ runs: result.removed }, 'reaped containers of ended or unknown runs');
      if (result.failed.length) deps.logger.warn({ runs: result.failed }, 'could not reap some run containers');
    } catch (err) {
      deps.logger.warn({ err }, 'container reaper failed; retrying at the next interval');
    }
  };
  void once();
  const timer = setInterval(() => void once(), deps.intervalMs ?? REAP_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer), once };
}

/**
 * Whether a run is active, by its workflow (the run id is the workflow id): running, or unknown to this namespace's
 * visibility for a moment. Only a closed or missing workflow counts as ended; any other doubt keeps the container.
 */
export function runActiveInTemporal(client: Client): (runId: string) => Promise<boolean> {
  return async (runId) => {
    try {
      const described = await client.workflow.getHandle(runId).describe();
      return described.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      return true;
    }
  };
}
