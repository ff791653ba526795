/**
 * Interrupts a working run: the agent's current step (model call, tool call or approval wait) is stopped through a
 * Temporal update, the stopped step is recorded as interrupted, and the run waits BLOCKED for instructions. The next
 * follow-up resumes it and becomes the agent's next user message. The workflow validates (is there a step to
 * stop?); this service authorizes and records who interrupted in the audit log.
 */
import { z } from 'zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Principal } from '../db/api-keys';
import { isTerminalState, type RunState } from '../domain';
import { interruptRunUpdate } from '../../workflows/definitions';
import { AppError } from './app-error';
import { recordAudit } from './audit';
import { deciderOf } from './decide-approval';
import type { ServiceDeps } from './deps';
import { requirePermission } from './permissions';
import { findVisibleRun } from './run-access';

export const InterruptRunResponseSchema = z.object({
  run_id: z.string(),
  /** The turn whose step was stopped. */
  turn: z.number().int(),
  interrupted_by: z.string(),
});
export type InterruptRunResponse = z.infer<typeof InterruptRunResponseSchema>;

function notInterruptible(runId: string, detail: string): AppError {
  return new AppError('conflict', `run ${runId} cannot be interrupted: ${detail}`, { retryable: false });
}

export async function interruptRun(
  deps: ServiceDeps,
  input: { principal: Principal; runId: string },
): Promise<InterruptRunResponse> {
  const { db, temporal, logger } = deps;
  const { principal, runId } = input;
  const run = await findVisibleRun(db, principal, runId);
  requirePermission(principal, 'intervene', 'interrupt runs');
  if (isTerminalState(run.state as RunState)) {
    throw notInterruptible(runId, `it has ended (state ${run.state}); send a follow-up to run it again`);
  }
  const by = deciderOf(principal);
  try {
    const accepted = await temporal.workflow.getHandle(runId).executeUpdate(interruptRunUpdate, { args: [{ by }] });
    await recordAudit(db, {
      teamId: run.teamId,
      principal,
      action: 'run.interrupted',
      targetType: 'run',
      targetId: runId,
      runId,
      data: { turn: accepted.turn },
    });
    logger.info({ runId, turn: accepted.turn }, 'run interrupted');
    return { run_id: runId, turn: accepted.turn, interrupted_by: by };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const message = (err.cause as { message?: string } | undefined)?.message ?? err.message;
      const match = /^NotInterruptible: (.*)$/s.exec(message);
      throw match ? notInterruptible(runId, match[1] ?? message) : new AppError('invalid_request', message);
    }
    if (err instanceof WorkflowNotFoundError) throw notInterruptible(runId, 'the run is not working right now');
    logger.error({ err, runId }, 'delivering an interrupt failed');
    throw new AppError('resource_unavailable', 'the workflow service could not be reached; retry shortly', {
      status: 503,
      headers: { 'Retry-After': '1' },
      cause: err,
    });
  }
}
