/** Run states of the Agent API contract, and the rules between them. Pure: workflows import this. */
export const RUN_STATES = [
  'QUEUED',
  'PENDING',
  'CLAIMED',
  'INPROGRESS',
  'SUCCEEDED',
  'FAILED',
  'BLOCKED',
  'ERROR',
  'CANCELLED',
] as const;
export type RunState = (typeof RUN_STATES)[number];

export const WORKING_STATES: readonly RunState[] = ['QUEUED', 'PENDING', 'CLAIMED', 'INPROGRESS'];
export const TERMINAL_STATES: readonly RunState[] = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

export function isWorkingState(state: RunState): boolean {
  return WORKING_STATES.includes(state);
}

/** BLOCKED waits for a human and is not terminal, but the contract lists it with the ended states. */
export function isTerminalState(state: RunState): boolean {
  return TERMINAL_STATES.includes(state);
}

const ALLOWED: Record<RunState, readonly RunState[]> = {
  QUEUED: ['PENDING', 'FAILED', 'ERROR', 'CANCELLED'],
  PENDING: ['CLAIMED', 'FAILED', 'ERROR', 'CANCELLED'],
  CLAIMED: ['INPROGRESS', 'FAILED', 'ERROR', 'CANCELLED'],
  INPROGRESS: ['BLOCKED', 'SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'],
  BLOCKED: ['INPROGRESS', 'FAILED', 'ERROR', 'CANCELLED'],
  // A follow-up to an ended run starts a new execution of the same run id.
  SUCCEEDED: ['QUEUED'],
  FAILED: ['QUEUED'],
  ERROR: ['QUEUED'],
  CANCELLED: ['QUEUED'],
};

export function canTransition(from: RunState, to: RunState): boolean {
  return from === to || ALLOWED[from].includes(to);
}
