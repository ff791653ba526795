/**
 * Cancels a run by asking Temporal to cancel its workflow; the workflow records CANCELLED itself (after cleaning up
 * its environment). Only when no workflow exists any more does the service record the cancellation directly.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Principal } from '../db/api-keys';
import { isTerminalState, RUN_STATES, RunErrorCode, TERMINAL_STATES, type RunState } from '../domain';
import { AppError } from './app-error';
import type { ServiceDeps } from './deps';
import { findVisibleRun } from './run-access';

export interface CancelRunInput {
  principal: Principal;
  runId: string;
}

/** Returns the run id (the contract answers 200 with it as a bare JSON string). */
export async function cancelRun(deps: ServiceDeps, input: CancelRunInput): Promise<string> {
  const { db, temporal, logger } = deps;
  const { principal, runId } = input;
  if (principal.role === 'viewer') {
    throw new AppError('not_authorized', 'viewers may read runs but not cancel them; use a member or admin API key');
  }
  const run = await findVisibleRun(db, principal, runId);
  const state = (RUN_STATES as readonly string[]).includes(run.state) ? (run.state as RunState) : 'ERROR';
  if (isTerminalState(state)) {
    throw new AppError(
      'invalid_request',
      `run ${runId} has already ended (state ${state}); only queued, running or blocked runs can be cancelled`,
    );
  }
  try {
    await temporal.workflow.getHandle(runId).cancel();
    logger.info({ runId }, 'run cancellation requested');
    return runId;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) {
      logger.error({ err, runId }, 'requesting workflow cancellation failed');
      throw new AppError(
        'resource_unavailable',
        'the workflow service could not be reached to cancel the run; retry shortly',
        {
          status: 503,
          headers: { 'Retry-After': '1' },
          cause: err,
        },
      );
    }
  }
  // No running workflow will ever record the end of this run, so record it here, unless it ended meanwhile.
  const endedAt = new Date();
  await db.$transaction(async (tx) => {
    const updated = await tx.run.updateMany({
      where: { id: runId, state: { notIn: [...TERMINAL_STATES] } },
      data: {
        state: 'CANCELLED',
        endedAt,
        updatedAt: endedAt,
        statusMessage: { message: 'Cancelled', error_code: RunErrorCode.Cancelled, retryable: false },
      },
    });
    if (updated.count === 1) {
      await tx.runEvent.createMany({
        data: [
          {
            runId,
            key: `cancelled-without-workflow-${run.execution}`,
            type: 'state_changed',
            data: { state: 'CANCELLED' },
          },
        ],
        skipDuplicates: true,
      });
    }
  });
  logger.warn({ runId }, 'cancelled a run whose workflow no longer exists');
  return runId;
}
