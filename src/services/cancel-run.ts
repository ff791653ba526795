/**
 * Cancels a run by asking Temporal to cancel its workflow; the workflow records CANCELLED itself (after cleaning up
 * its environment). Only when no workflow exists any more does the service record the cancellation directly.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Principal } from '../db/api-keys';
import { isTerminalState, RUN_STATES, RunErrorCode, TERMINAL_STATES, type RunState } from '../domain';
import { AppError } from './app-error';
import { recordAudit, type AuditEntry } from './audit';
import type { ServiceDeps } from './deps';
import { requirePermission } from './permissions';
import { findVisibleRun } from './run-access';

function cancelledEntry(principal: Principal, teamId: string, runId: string, state: RunState): AuditEntry {
  return { teamId, principal, action: 'run.cancelled', targetType: 'run', targetId: runId, runId, data: { state } };
}

export interface CancelRunInput {
  principal: Principal;
  runId: string;
}

/** Returns the run id (the contract answers 200 with it as a bare JSON string). */
export async function cancelRun(deps: ServiceDeps, input: CancelRunInput): Promise<string> {
  const { db, temporal, logger } = deps;
  const { principal, runId } = input;
  const run = await findVisibleRun(db, principal, runId);
  requirePermission(principal, 'intervene', 'cancel runs');
  const state = (RUN_STATES as readonly string[]).includes(run.state) ? (run.state as RunState) : 'ERROR';
  if (isTerminalState(state)) {
    throw new AppError(
      'invalid_request',
      `run ${runId} has already ended (state ${state}); only queued, running or blocked runs can be cancelled`,
    );
  }
  let requested = false;
  try {
    await temporal.workflow.getHandle(runId).cancel();
    requested = true;
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
  if (requested) {
    // The change itself happens in the workflow; the request for it is what the log records.
    await recordAudit(db, cancelledEntry(principal, run.teamId, runId, state));
    logger.info({ runId }, 'run cancellation requested');
    return runId;
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
      await recordAudit(tx, cancelledEntry(principal, run.teamId, runId, state));
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
