import { ApplicationFailure } from '@temporalio/activity';
import type { Prisma } from '../src/generated/prisma/client';
import { FailureType } from '../src/domain/errors';
import type { StatusMessage } from '../src/domain/run';
import { isTerminalState, type RunState } from '../src/domain/run-state';
import type { Db } from '../src/db/client';
import { knownSecretsRedactor } from '../src/secrets/known-values';
import type { ActivityDeps } from './deps';

type Tx = Prisma.TransactionClient | Db;

export interface NewRunEvent {
  /** Idempotency key, unique within the run: a retried write with the same key is a no-op. */
  key: string;
  type: 'state_changed' | 'message' | 'tool_call' | 'tool_result' | 'output' | 'usage' | 'log' | 'text_delta';
  data: Prisma.InputJsonValue;
}

export async function appendEvents(tx: Tx, runId: string, events: NewRunEvent[]): Promise<void> {
  if (events.length === 0) return;
  // Hosts and the model call redact already; this catches any secret value this worker knows that slipped through.
  const redactor = knownSecretsRedactor();
  await tx.runEvent.createMany({
    data: events.map((e) => ({ runId, key: e.key, type: e.type, data: redactor.redactDeep(e.data) })),
    skipDuplicates: true,
  });
}

/** Next position in the run's transcript. Tool calls of a run execute one at a time, so no two writers race here. */
export async function nextMessageSeq(tx: Tx, runId: string): Promise<number> {
  const last = await tx.runMessage.aggregate({ where: { runId }, _max: { seq: true } });
  return (last._max.seq ?? 0) + 1;
}

export function runNotFound(runId: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`run ${runId} no longer exists`, FailureType.RunNotFound);
}

export interface RecordRunStateInput {
  runId: string;
  state: RunState;
  statusMessage?: StatusMessage;
  /** Idempotency key of the state event, derived from the execution and step. */
  key: string;
}

export function createRecordActivities({ db, reportRunState }: Pick<ActivityDeps, 'db' | 'reportRunState'>) {
  return {
    /** Moves the run to a state, stamping started_at/ended_at, and appends the state_changed event. */
    async recordRunState(input: RecordRunStateInput): Promise<void> {
      await db.$transaction(async (tx) => {
        const run = await tx.run.findUnique({ where: { id: input.runId }, select: { startedAt: true } });
        if (!run) throw runNotFound(input.runId);
        const now = new Date();
        await tx.run.update({
          where: { id: input.runId },
          data: {
            state: input.state,
            updatedAt: now,
            ...(input.statusMessage !== undefined ? { statusMessage: input.statusMessage } : {}),
            ...(input.state === 'INPROGRESS' && !run.startedAt ? { startedAt: now } : {}),
            ...(isTerminalState(input.state) ? { endedAt: now } : {}),
          },
        });
        await appendEvents(tx, input.runId, [
          {
            key: input.key,
            type: 'state_changed',
            data: { state: input.state, ...(input.statusMessage ? { status_message: input.statusMessage } : {}) },
          },
        ]);
      });
      // Triggered runs tell their integration (after the commit, so the report reads the new state).
      if (reportRunState) {
        await reportRunState({
          runId: input.runId,
          state: input.state,
          ...(input.statusMessage ? { statusMessage: input.statusMessage } : {}),
        });
      }
    },
  };
}

export interface RecordFollowupsInput {
  runId: string;
  turn: number;
  followups: { id: string; message: string; mode?: string }[];
}

export function createFollowupActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /** Adds follow-up messages to the transcript, before the model call of `turn`. Each is written once. */
    async recordFollowups(input: RecordFollowupsInput): Promise<void> {
      await db.$transaction(async (tx) => {
        let seq = await nextMessageSeq(tx, input.runId);
        for (const f of input.followups) {
          const key = `followup-${f.id}`;
          if (await tx.runMessage.findUnique({ where: { runId_key: { runId: input.runId, key } } })) continue;
          await tx.runMessage.create({
            data: { runId: input.runId, key, seq: seq++, turn: input.turn, role: 'user', content: f.message },
          });
          await appendEvents(tx, input.runId, [
            {
              key: `message-${key}`,
              type: 'message',
              data: { role: 'user', turn: input.turn, text: f.message, followup_id: f.id },
            },
          ]);
        }
        await tx.run.update({ where: { id: input.runId }, data: { updatedAt: new Date() } });
      });
    },
  };
}
