/**
 * The record of approval gates: a run going BLOCKED on a pending tool call, and the human decision that resumes it.
 * Each write is keyed by the tool call id, so a retried activity records it once.
 */
import type { Prisma } from '../src/generated/prisma/client';
import { toolCallRowId } from './call-model';
import type { ActivityDeps } from './deps';
import { nextMessageSeq, runNotFound } from './record';

type Tx = Prisma.TransactionClient;

export interface RequestApprovalInput {
  runId: string;
  execution: number;
  actionId: string;
  name: string;
  input: unknown;
  reason: string;
  /** The run's status message while it waits, naming the pending action. */
  statusMessage: string;
}

export interface RecordApprovalDecisionInput {
  runId: string;
  execution: number;
  actionId: string;
  decision: 'approve' | 'deny';
  by: string;
  comment?: string;
  /** When the workflow accepted the decision (ISO), so a retry records the same moment. */
  decidedAt: string;
}

async function moveRun(
  tx: Tx,
  input: { runId: string; state: 'BLOCKED' | 'INPROGRESS'; message?: string; key: string },
): Promise<void> {
  const run = await tx.run.findUnique({ where: { id: input.runId }, select: { id: true } });
  if (!run) throw runNotFound(input.runId);
  const statusMessage = input.message !== undefined ? { message: input.message } : undefined;
  await tx.run.update({
    where: { id: input.runId },
    data: { state: input.state, updatedAt: new Date(), ...(statusMessage ? { statusMessage } : {}) },
  });
  await tx.runEvent.createMany({
    data: [
      {
        runId: input.runId,
        key: input.key,
        type: 'state_changed',
        data: { state: input.state, ...(statusMessage ? { status_message: statusMessage } : {}) },
      },
    ],
    skipDuplicates: true,
  });
}

/** The text the model reads as the denied call's result. */
export function denialText(by: string, comment: string | undefined): string {
  return comment ? `denied by ${by}: ${comment}` : `denied by ${by}`;
}

export function createApprovalActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /** Marks the run BLOCKED on one tool call and records what waits for a decision (`approval_requested`). */
    async requestApproval(input: RequestApprovalInput): Promise<void> {
      await db.$transaction(async (tx) => {
        await moveRun(tx, {
          runId: input.runId,
          state: 'BLOCKED',
          message: input.statusMessage,
          key: `exec-${input.execution}-approval-${input.actionId}-BLOCKED`,
        });
        await tx.runEvent.createMany({
          data: [
            {
              runId: input.runId,
              key: `approval-requested-${input.actionId}`,
              type: 'approval_requested',
              data: {
                action_id: input.actionId,
                name: input.name,
                input: input.input ?? {},
                reason: input.reason,
              },
            },
          ],
          skipDuplicates: true,
        });
      });
    },

    /**
     * Records who decided and when (`approval_decided`) and puts the run back to INPROGRESS. A denied call is
     * settled here: its row becomes 'denied' and the model reads the denial as the call's failed result.
     */
    async recordApprovalDecision(input: RecordApprovalDecisionInput): Promise<void> {
      await db.$transaction(async (tx) => {
        await moveRun(tx, {
          runId: input.runId,
          state: 'INPROGRESS',
          message: `${input.decision === 'approve' ? 'Approved' : 'Denied'} by ${input.by}; the agent continues.`,
          key: `exec-${input.execution}-approval-${input.actionId}-INPROGRESS`,
        });
        await tx.runEvent.createMany({
          data: [
            {
              runId: input.runId,
              key: `approval-decided-${input.actionId}`,
              type: 'approval_decided',
              data: {
                action_id: input.actionId,
                decision: input.decision,
                by: input.by,
                decided_at: input.decidedAt,
                ...(input.comment ? { comment: input.comment } : {}),
              },
            },
          ],
          skipDuplicates: true,
        });
        if (input.decision === 'deny') await settleDenied(tx, input);
      });
    },
  };
}

async function settleDenied(tx: Tx, input: RecordApprovalDecisionInput): Promise<void> {
  const id = toolCallRowId(input.runId, input.actionId);
  const call = await tx.toolCall.findUnique({ where: { id } });
  if (!call || call.state === 'denied' || call.state === 'completed' || call.state === 'failed') return;
  const output = { error: denialText(input.by, input.comment), denied: true };
  await tx.toolCall.update({ where: { id }, data: { state: 'denied', output, completedAt: new Date() } });
  await tx.runMessage.create({
    data: {
      runId: input.runId,
      key: `tool-result-${input.actionId}`,
      seq: await nextMessageSeq(tx, input.runId),
      turn: call.turn,
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: input.actionId,
          toolName: call.name,
          output: { type: 'error-json', value: output },
        },
      ],
    },
  });
  await tx.runEvent.createMany({
    data: [
      {
        runId: input.runId,
        key: `tool-result-${input.actionId}`,
        type: 'tool_result',
        data: { turn: call.turn, tool_call_id: input.actionId, name: call.name, state: 'denied', output },
      },
    ],
    skipDuplicates: true,
  });
}
