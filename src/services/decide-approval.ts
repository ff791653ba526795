/**
 * A human's decision on the tool call a BLOCKED run waits for, delivered to the workflow through a Temporal update.
 * The workflow validates it (is that action pending?) and records who decided; this service only authorizes.
 */
import { z } from 'zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Principal } from '../db/api-keys';
import { isTerminalState, type RunState } from '../domain';
import { decideApprovalUpdate } from '../../workflows/definitions';
import { AppError } from './app-error';
import { recordAudit } from './audit';
import type { ServiceDeps } from './deps';
import { requirePermission } from './permissions';
import { findVisibleRun } from './run-access';

export const ApprovalDecisionRequestSchema = z.strictObject({
  action_id: z
    .string()
    .min(1, 'action_id must not be empty; omit it to decide the one pending action')
    .max(255)
    .optional(),
  decision: z.enum(['approve', 'deny'], { error: "decision must be 'approve' or 'deny'" }),
  comment: z.string().trim().max(10_000, 'comment is at most 10000 characters').optional(),
});
export type ApprovalDecisionRequest = z.infer<typeof ApprovalDecisionRequestSchema>;

export const ApprovalDecisionResponseSchema = z.object({
  run_id: z.string(),
  action_id: z.string(),
  decision: z.enum(['approve', 'deny']),
});
export type ApprovalDecisionResponse = z.infer<typeof ApprovalDecisionResponseSchema>;

/** What a decision records as its author: the key's user, or 'team-key' for a team key without one. */
export function deciderOf(principal: Principal): string {
  return principal.userId ?? 'team-key';
}

function noPendingAction(runId: string, detail: string): AppError {
  return new AppError('conflict', `run ${runId}: ${detail}`, { retryable: false });
}

export async function decideApproval(
  deps: ServiceDeps,
  input: { principal: Principal; runId: string; request: ApprovalDecisionRequest },
): Promise<ApprovalDecisionResponse> {
  const { db, temporal, logger } = deps;
  const { principal, runId, request } = input;
  const run = await findVisibleRun(db, principal, runId);
  requirePermission(principal, 'intervene', 'approve or deny the actions of runs');
  if (isTerminalState(run.state as RunState)) {
    throw noPendingAction(runId, `the run has ended (state ${run.state}); no action waits for approval`);
  }
  const sendDecision = () =>
    temporal.workflow.getHandle(runId).executeUpdate(decideApprovalUpdate, {
      args: [
        {
          ...(request.action_id ? { actionId: request.action_id } : {}),
          decision: request.decision,
          by: deciderOf(principal),
          ...(request.comment ? { comment: request.comment } : {}),
        },
      ],
    });
  let decided: Awaited<ReturnType<typeof sendDecision>>;
  try {
    decided = await sendDecision();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const message = (err.cause as { message?: string } | undefined)?.message ?? err.message;
      const match = /^(NoPendingApproval|ApprovalNotPending): (.*)$/s.exec(message);
      if (match) throw noPendingAction(runId, match[2] ?? message);
      throw new AppError('invalid_request', message);
    }
    if (err instanceof WorkflowNotFoundError) {
      throw noPendingAction(runId, 'the run is not running; no action waits for approval');
    }
    logger.error({ err, runId }, 'delivering an approval decision failed');
    throw new AppError('resource_unavailable', 'the workflow service could not be reached; retry shortly', {
      status: 503,
      headers: { 'Retry-After': '1' },
      cause: err,
    });
  }
  // The decision is recorded by the workflow (its history and the run's events); the log records who made it.
  await recordAudit(db, {
    teamId: run.teamId,
    principal,
    action: decided.decision === 'approve' ? 'run.approved' : 'run.denied',
    targetType: 'run',
    targetId: runId,
    runId,
    // The comment stays in the run's own events; the log keeps no free text.
    data: { action_id: decided.actionId, decision: decided.decision },
  });
  logger.info({ runId, actionId: decided.actionId, decision: decided.decision }, 'approval decided');
  return { run_id: runId, action_id: decided.actionId, decision: decided.decision };
}
