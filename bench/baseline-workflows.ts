/**
 * Bare Temporal workflows that Ambit's numbers are divided by. Bundled apart from Ambit's workflows and served by a
 * plain Worker on its own task queue, so nothing of Ambit runs on this side.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { BaselineActivities } from './baseline-activities';

/** No retry policy tuning: the activity cannot fail, so only its scheduling cost matters. */
const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30s' });

/** Returns at once: the cost of starting and completing a workflow and nothing else. */
export function trivialWorkflow(): Promise<void> {
  return Promise.resolve();
}

export interface ActivitiesWorkflowInput {
  /** How many no-op activities to run, one after the other (Ambit's one-turn run executes 10). */
  count: number;
}

/** Runs `count` no-op activities in sequence, as Ambit's workflow runs its activities. */
export async function activitiesWorkflow(input: ActivitiesWorkflowInput): Promise<number> {
  for (let step = 0; step < input.count; step++) await noop({ step });
  return input.count;
}
