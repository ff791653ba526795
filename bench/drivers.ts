/** How each side is driven: Ambit through its HTTP API, the bare engine through the Temporal client. */
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { RunAgentResponseSchema } from '../src/domain';
import type { AgentRunResult } from '../workflows/definitions';
import type { activitiesWorkflow, trivialWorkflow } from './baseline-workflows';
import { BENCH_PROMPT } from './setup';

/** POST /api/v1/agent/runs over real HTTP; resolves with the run id once the response body is read. */
export async function createRun(apiUrl: string, apiKey: string): Promise<string> {
  const res = await fetch(`${apiUrl}/api/v1/agent/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: BENCH_PROMPT }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /agent/runs answered ${res.status}: ${text.slice(0, 500)}`);
  return RunAgentResponseSchema.parse(JSON.parse(text)).run_id;
}

/** The workflow result of a run (its id is the run id): the moment it ended, without polling the database. */
export function runResult(client: Client, runId: string): Promise<AgentRunResult> {
  return client.workflow.getHandle<(input: { runId: string }) => Promise<AgentRunResult>>(runId).result();
}

export function bareWorkflowId(label: string): string {
  return `bench-${label}-${crypto.randomUUID()}`;
}

/** Starts the trivial workflow and resolves once the server accepted it. */
export async function startTrivial(client: Client, taskQueue: string): Promise<void> {
  await client.workflow.start<typeof trivialWorkflow>('trivialWorkflow', {
    taskQueue,
    workflowId: bareWorkflowId('trivial'),
  });
}

/** Starts `activitiesWorkflow` and resolves with its id once it completed. */
export async function runActivitiesWorkflow(client: Client, taskQueue: string, count: number): Promise<string> {
  const workflowId = bareWorkflowId('activities');
  const handle = await client.workflow.start<typeof activitiesWorkflow>('activitiesWorkflow', {
    taskQueue,
    workflowId,
    args: [{ count }],
  });
  await handle.result();
  return workflowId;
}

/** Server-side duration of a closed workflow execution: from its start to its close, on the Temporal server's clock. */
export async function executionMs(client: Client, workflowId: string): Promise<number> {
  const d = await client.workflow.getHandle(workflowId).describe();
  if (!d.closeTime) throw new Error(`workflow ${workflowId} has not closed`);
  return d.closeTime.getTime() - d.startTime.getTime();
}

/** The activity types a workflow execution scheduled, in order, from its history. */
export async function scheduledActivities(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => typeof name === 'string');
}
