export { agentRunWorkflow } from './agent-run';
