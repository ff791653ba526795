export { agentRunWorkflow } from './agent-run';
export { scheduledRunWorkflow } from './scheduled-run';
export { hostRegistryWorkflow } from './host-registry';
