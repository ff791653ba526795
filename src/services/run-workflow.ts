/** Starting a run's workflow, shared by run creation and by the start-up reconciler. */
import type { Client } from '@temporalio/client';
import { runsTaskQueue, type AppConfig } from '../config';
import { AGENT_RUN_WORKFLOW_TYPE, type AgentRunWorkflowInput } from '../../workflows/definitions';

/**
 * Starts the workflow whose id is the run id. `USE_EXISTING` makes a repeated start (a retried request, the
 * reconciler racing a slow creation) attach to the running workflow instead of failing or starting a second one.
 */
export async function startRunWorkflow(temporal: Client, config: AppConfig, runId: string): Promise<void> {
  const input: AgentRunWorkflowInput = { runId };
  await temporal.workflow.start(AGENT_RUN_WORKFLOW_TYPE, {
    workflowId: runId,
    taskQueue: runsTaskQueue(config.temporal.taskQueuePrefix),
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}
