export { agentRunWorkflow } from './agent-run';
export { scheduledRunWorkflow } from './scheduled-run';
