/**
 * A follow-up message to a run. To a working run it is delivered through a Temporal update and the agent sees it
 * at its next step; to an ended run it starts a new execution of the same run id that continues the transcript.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { runsTaskQueue } from '../config';
import type { Principal } from '../db/api-keys';
import { isTerminalState, RUN_MODES, TERMINAL_STATES, type RunState } from '../domain';
import { AGENT_RUN_WORKFLOW_TYPE, sendFollowupUpdate, type AgentRunWorkflowInput } from '../../workflows/definitions';
import { AppError } from './app-error';
import { recordAudit, type AuditEntry } from './audit';
import type { ServiceDeps } from './deps';
import { requirePermission } from './permissions';
import { findVisibleRun } from './run-access';
import { Prisma } from '../generated/prisma/client';

export const FollowupRequestSchema = z.object({
  message: z.string().trim().min(1, 'message must not be empty').max(100_000),
  mode: z.enum(RUN_MODES).optional(),
});
export type FollowupRequest = z.infer<typeof FollowupRequestSchema>;

export interface FollowupResponse {
  run_id: string;
  followup_id: string;
  /** `delivered`: the running agent will see it at its next step; `restarted`: a new execution started. */
  delivery: 'delivered' | 'restarted';
  execution: number;
}

function steeredEntry(
  principal: Principal,
  teamId: string,
  runId: string,
  followupId: string,
  delivery: FollowupResponse['delivery'],
): AuditEntry {
  return {
    teamId,
    principal,
    action: 'run.steered',
    targetType: 'run',
    targetId: runId,
    runId,
    data: { followup_id: followupId, delivery },
  };
}

function updateRejection(err: unknown): string | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause as { message?: string } | undefined;
  return cause?.message ?? err.message;
}

export async function sendFollowup(
  deps: ServiceDeps,
  input: {
    principal: Principal;
    runId: string;
    request: FollowupRequest;
    /**
     * A deterministic id (triggers derive it from the delivery): the workflow and the transcript take a follow-up
     * with a given id once, so a redelivered event does not repeat it.
     */
    followupId?: string;
  },
): Promise<FollowupResponse> {
  const { db, temporal, logger } = deps;
  const { principal, runId, request } = input;
  await findVisibleRun(db, principal, runId);
  requirePermission(principal, 'intervene', 'steer runs');
  const followupId = input.followupId ?? randomUUID();
  for (let attempt = 0; attempt < 3; attempt++) {
    const run = await findVisibleRun(db, principal, runId);
    if (!isTerminalState(run.state as RunState)) {
      try {
        await temporal.workflow.getHandle(runId).executeUpdate(sendFollowupUpdate, {
          args: [{ id: followupId, message: request.message, mode: request.mode }],
          updateId: followupId,
        });
      } catch (err) {
        const rejection = updateRejection(err);
        if (rejection?.startsWith('HarnessNoFollowups')) {
          throw new AppError('operation_not_supported', rejection.replace(/^HarnessNoFollowups: /, ''));
        }
        if (rejection?.startsWith('RunEnding') || err instanceof WorkflowNotFoundError) {
          // The run is finishing: wait for its end, then start the next execution.
          await temporal.workflow
            .getHandle(runId)
            .result()
            .catch(() => undefined);
          continue;
        }
        if (rejection) throw new AppError('invalid_request', rejection);
        logger.error({ err, runId }, 'delivering a follow-up failed');
        throw new AppError('resource_unavailable', 'the workflow service could not be reached; retry shortly', {
          status: 503,
          headers: { 'Retry-After': '1' },
          cause: err,
        });
      }
      // Reached only when the update was delivered: every failure above continues or throws.
      await recordAudit(db, steeredEntry(principal, run.teamId, runId, followupId, 'delivered'));
      logger.info({ runId, followupId }, 'follow-up delivered');
      return { run_id: runId, followup_id: followupId, delivery: 'delivered', execution: run.execution };
    }
    const restarted = await restartWithFollowup(deps, { runId, followupId, request });
    if (restarted !== undefined) {
      await recordAudit(db, steeredEntry(principal, run.teamId, runId, followupId, 'restarted'));
      return { run_id: runId, followup_id: followupId, delivery: 'restarted', execution: restarted };
    }
  }
  throw new AppError('conflict', 'the run changed state several times while the follow-up was sent; retry', {
    retryable: true,
  });
}

/**
 * Reopens an ended run: back to QUEUED with the follow-up at the end of its transcript, then a new workflow
 * execution. Returns undefined when another request reopened it first. A failed start puts everything back.
 */
async function restartWithFollowup(
  deps: ServiceDeps,
  input: { runId: string; followupId: string; request: FollowupRequest },
): Promise<number | undefined> {
  const { db, temporal, config, logger } = deps;
  const before = await db.run.findUniqueOrThrow({ where: { id: input.runId } });
  if (!isTerminalState(before.state as RunState)) return undefined;
  const execution = before.execution + 1;
  const key = `followup-${input.followupId}`;
  const reopened = await db.$transaction(async (tx) => {
    // This follow-up is already in the transcript (a repeated delivery): nothing to reopen.
    if (await tx.runMessage.findUnique({ where: { runId_key: { runId: input.runId, key } }, select: { seq: true } }))
      return false;
    const updated = await tx.run.updateMany({
      where: { id: input.runId, state: { in: [...TERMINAL_STATES] }, execution: before.execution },
      data: { state: 'QUEUED', execution, endedAt: null, statusMessage: Prisma.DbNull, updatedAt: new Date() },
    });
    if (updated.count === 0) return false;
    const last = await tx.runMessage.aggregate({ where: { runId: input.runId }, _max: { seq: true } });
    await tx.runMessage.create({
      data: {
        runId: input.runId,
        key,
        seq: (last._max.seq ?? 0) + 1,
        turn: before.lastTurn + 1,
        role: 'user',
        content: input.request.message,
      },
    });
    await tx.runEvent.createMany({
      data: [
        {
          runId: input.runId,
          key: `message-${key}`,
          type: 'message',
          data: {
            role: 'user',
            turn: before.lastTurn + 1,
            text: input.request.message,
            followup_id: input.followupId,
            ...(input.request.mode ? { mode: input.request.mode } : {}),
          },
        },
        {
          runId: input.runId,
          key: `exec-${execution}-queued`,
          type: 'state_changed',
          data: { state: 'QUEUED', execution },
        },
      ],
    });
    return true;
  });
  if (!reopened) return undefined;
  const workflowInput: AgentRunWorkflowInput = { runId: input.runId, execution };
  try {
    await temporal.workflow.start(AGENT_RUN_WORKFLOW_TYPE, {
      workflowId: input.runId,
      taskQueue: runsTaskQueue(config.temporal.taskQueuePrefix),
      args: [workflowInput],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    });
  } catch (err) {
    logger.error({ err, runId: input.runId }, 'starting the follow-up execution failed; reverting the run');
    await db.$transaction(async (tx) => {
      await tx.runMessage.deleteMany({ where: { runId: input.runId, key } });
      await tx.runEvent.deleteMany({
        where: { runId: input.runId, key: { in: [`message-${key}`, `exec-${execution}-queued`] } },
      });
      await tx.run.update({
        where: { id: input.runId },
        data: {
          state: before.state,
          execution: before.execution,
          endedAt: before.endedAt,
          statusMessage: before.statusMessage ?? Prisma.DbNull,
        },
      });
    });
    throw new AppError('resource_unavailable', 'the workflow service could not start the follow-up; retry shortly', {
      status: 503,
      headers: { 'Retry-After': '1' },
      cause: err,
    });
  }
  logger.info({ runId: input.runId, execution }, 'follow-up started a new execution');
  return execution;
}
