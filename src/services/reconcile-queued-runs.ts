/**
 * Completes run creations a crash interrupted: a QUEUED row whose workflow was never started. Runs at API start-up.
 * Young runs are skipped because their creating request may still be about to start the workflow.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ServiceDeps } from './deps';
import { startRunWorkflow } from './run-workflow';

export const RECONCILE_MIN_AGE_MS = 30_000;
const BATCH = 100;

export interface ReconcileQueuedRunsOptions {
  /** Only runs created at least this long ago are considered. Default 30 s. */
  minAgeMs?: number;
  now?: Date;
}

export interface ReconcileQueuedRunsResult {
  /** Run ids whose missing workflow was started. */
  started: string[];
  /** Run ids whose workflow could not be checked or started (logged; retried at the next start-up). */
  failed: string[];
}

export async function reconcileQueuedRuns(
  deps: ServiceDeps,
  options: ReconcileQueuedRunsOptions = {},
): Promise<ReconcileQueuedRunsResult> {
  const { db, temporal, config, logger } = deps;
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.minAgeMs ?? RECONCILE_MIN_AGE_MS));
  const result: ReconcileQueuedRunsResult = { started: [], failed: [] };
  let after: string | undefined;
  for (;;) {
    const runs = await db.run.findMany({
      where: { state: 'QUEUED', createdAt: { lt: cutoff }, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: BATCH,
    });
    for (const { id } of runs) {
      try {
        await temporal.workflow.getHandle(id).describe();
        continue;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) {
          logger.warn({ err, runId: id }, 'could not check the workflow of a queued run');
          result.failed.push(id);
          continue;
        }
      }
      try {
        await startRunWorkflow(temporal, config, id);
        logger.info({ runId: id }, 'started the missing workflow of a queued run');
        result.started.push(id);
      } catch (err) {
        logger.warn({ err, runId: id }, 'could not start the missing workflow of a queued run');
        result.failed.push(id);
      }
    }
    if (runs.length < BATCH) break;
    after = runs[runs.length - 1]?.id;
  }
  return result;
}
