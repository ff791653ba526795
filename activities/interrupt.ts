/**
 * The record of an interrupt: a human stopped the agent's current step, the run waits BLOCKED for instructions,
 * and resumes when a follow-up arrives. Every write is keyed by the execution and the interrupted turn, so a
 * retried activity records it once.
 */
import type { Prisma } from '../src/generated/prisma/client';
import type { ActivityDeps } from './deps';
import { nextMessageSeq, runNotFound } from './record';

type Tx = Prisma.TransactionClient;

export interface RecordInterruptionInput {
  runId: string;
  execution: number;
  /** The turn whose step was stopped (a turn is interrupted at most once): part of every idempotency key. */
  turn: number;
  by: string;
  /** When the workflow accepted the interrupt (ISO), so a retry records the same moment. */
  interruptedAt: string;
}

export interface RecordResumeInput {
  runId: string;
  execution: number;
  turn: number;
}

/** The status message of a run waiting after an interrupt. */
export function interruptedMessage(by: string): string {
  return `Interrupted by ${by}; waiting for instructions (send a follow-up to continue).`;
}

/** What the model reads as the result of a tool call that was stopped (or never started) by an interrupt. */
export function interruptedToolOutput(by: string): { error: string; interrupted: true } {
  return {
    error: `interrupted by ${by} before the tool call finished; it may have had partial effects`,
    interrupted: true,
  };
}

async function moveRun(
  tx: Tx,
  input: { runId: string; state: 'BLOCKED' | 'INPROGRESS'; message: string; key: string },
) {
  const statusMessage = { message: input.message };
  await tx.run.update({
    where: { id: input.runId },
    data: { state: input.state, updatedAt: new Date(), statusMessage },
  });
  await tx.runEvent.createMany({
    data: [
      {
        runId: input.runId,
        key: input.key,
        type: 'state_changed',
        data: { state: input.state, status_message: statusMessage },
      },
    ],
    skipDuplicates: true,
  });
}

/**
 * Settles the tool calls the interrupted turn left without a result (the one that was running, and those not yet
 * started) as failed, and gives each a tool result, so the transcript the model reads next stays well formed.
 */
async function settleUnfinishedCalls(tx: Tx, input: RecordInterruptionInput): Promise<string[]> {
  const calls = await tx.toolCall.findMany({
    where: { runId: input.runId, state: { in: ['pending', 'running'] } },
    orderBy: { createdAt: 'asc' },
  });
  const output = interruptedToolOutput(input.by);
  const settled: string[] = [];
  for (const call of calls) {
    const toolCallId = call.id.slice(input.runId.length + 1);
    await tx.toolCall.update({ where: { id: call.id }, data: { state: 'failed', output, completedAt: new Date() } });
    await tx.runMessage.createMany({
      data: [
        {
          runId: input.runId,
          key: `tool-result-${toolCallId}`,
          seq: await nextMessageSeq(tx, input.runId),
          turn: call.turn,
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId, toolName: call.name, output: { type: 'error-json', value: output } },
          ],
        },
      ],
      skipDuplicates: true,
    });
    await tx.runEvent.createMany({
      data: [
        {
          runId: input.runId,
          key: `tool-result-${toolCallId}`,
          type: 'tool_result',
          data: { turn: call.turn, tool_call_id: toolCallId, name: call.name, state: 'failed', output },
        },
      ],
      skipDuplicates: true,
    });
    settled.push(toolCallId);
  }
  return settled;
}

export function createInterruptActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /**
     * Records an interrupt once the stopped step has ended: unfinished tool calls become failed results the model
     * will read, an `interrupted` event names who and which calls, and the run goes BLOCKED waiting for a follow-up.
     */
    async recordInterruption(input: RecordInterruptionInput): Promise<void> {
      await db.$transaction(async (tx) => {
        const run = await tx.run.findUnique({ where: { id: input.runId }, select: { id: true } });
        if (!run) throw runNotFound(input.runId);
        const done = await tx.runEvent.findUnique({
          where: { runId_key: { runId: input.runId, key: `exec-${input.execution}-interrupt-${input.turn}` } },
        });
        if (done) return;
        const settled = await settleUnfinishedCalls(tx, input);
        await tx.runEvent.create({
          data: {
            runId: input.runId,
            key: `exec-${input.execution}-interrupt-${input.turn}`,
            type: 'interrupted',
            data: {
              by: input.by,
              turn: input.turn,
              interrupted_at: input.interruptedAt,
              interrupted_tool_call_ids: settled,
            },
          },
        });
        await moveRun(tx, {
          runId: input.runId,
          state: 'BLOCKED',
          message: interruptedMessage(input.by),
          key: `exec-${input.execution}-interrupt-${input.turn}-BLOCKED`,
        });
      });
    },

    /** Puts an interrupted run back to INPROGRESS once instructions (a follow-up) arrived. */
    async recordResumeAfterInterrupt(input: RecordResumeInput): Promise<void> {
      await db.$transaction(async (tx) => {
        const run = await tx.run.findUnique({ where: { id: input.runId }, select: { id: true } });
        if (!run) throw runNotFound(input.runId);
        await moveRun(tx, {
          runId: input.runId,
          state: 'INPROGRESS',
          message: 'Instructions received; the agent continues.',
          key: `exec-${input.execution}-interrupt-${input.turn}-INPROGRESS`,
        });
      });
    },
  };
}
