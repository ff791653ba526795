/**
 * One firing of a schedule, started by its Temporal Schedule: create the run (an id derived from the schedule and
 * the firing time, so a repeated firing or a retried activity never makes a second run), then run it as this
 * workflow's child with the run id as workflow id. The firing lasts as long as the run, so the schedule's overlap
 * policy (skip, buffer one, allow all) applies to whole runs. Cancel, follow-ups and reads address the run id as
 * for any run.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  ChildWorkflowFailure,
  executeChild,
  ParentClosePolicy,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ScheduledRunResult, ScheduledRunWorkflowInput } from '../src/domain/schedule';
import { RECORD } from './activity-options';
import { AGENT_RUN_WORKFLOW_TYPE, type AgentRunResult, type AgentRunWorkflowInput } from './definitions';

const record = proxyActivities<Activities>(RECORD);

/** Set by Temporal on every workflow a schedule starts: the firing's nominal time. */
const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

function isAlreadyStarted(err: unknown): boolean {
  return err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError';
}

export async function scheduledRunWorkflow(input: ScheduledRunWorkflowInput): Promise<ScheduledRunResult> {
  const info = workflowInfo();
  const scheduledAt = info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? new Date(info.startTime);
  const created = await record.createScheduledRun({
    scheduleId: input.scheduleId,
    scheduledAt: scheduledAt.toISOString(),
  });
  // No run (schedule deleted, config refused), or a run this firing already made and that has moved on.
  if (created.runId === undefined || created.state !== 'QUEUED') return created;

  const runInput: AgentRunWorkflowInput = { runId: created.runId };
  try {
    const result = await executeChild<(input: AgentRunWorkflowInput) => Promise<AgentRunResult>>(
      AGENT_RUN_WORKFLOW_TYPE,
      {
        workflowId: created.runId,
        args: [runInput],
        // The run never starts twice under its id, and outlives this firing if the firing is ever terminated.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        parentClosePolicy: ParentClosePolicy.ABANDON,
      },
    );
    return { runId: created.runId, state: result.state };
  } catch (err) {
    // Already started (a repeated firing, or the start-up reconciler took it): the run goes on by itself.
    if (isAlreadyStarted(err)) return { runId: created.runId, state: 'QUEUED' };
    // The run failed or was cancelled: it recorded its own outcome; the firing is done either way.
    if (err instanceof ChildWorkflowFailure) return { runId: created.runId, state: 'ENDED' };
    throw err;
  }
}
