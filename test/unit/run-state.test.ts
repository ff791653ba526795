import {
  canTransition,
  isTerminalState,
  isWorkingState,
  RUN_STATES,
  TERMINAL_STATES,
  WORKING_STATES,
  type RunState,
} from '../../src/domain/run-state';

describe('run states', () => {
  test('every state is working, terminal, or BLOCKED (waiting for a human), and only one of them', () => {
    for (const state of RUN_STATES) {
      const kinds = [isWorkingState(state), isTerminalState(state), state === 'BLOCKED'].filter(Boolean);
      expect([state, kinds.length]).toEqual([state, 1]);
    }
    expect([...WORKING_STATES].sort()).toEqual(['CLAIMED', 'INPROGRESS', 'PENDING', 'QUEUED']);
    expect([...TERMINAL_STATES].sort()).toEqual(['CANCELLED', 'ERROR', 'FAILED', 'SUCCEEDED']);
  });

  test('the happy path moves forward one step at a time', () => {
    const path: RunState[] = ['QUEUED', 'PENDING', 'CLAIMED', 'INPROGRESS', 'SUCCEEDED'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
  });

  test.each([
    ['QUEUED', 'CLAIMED'],
    ['QUEUED', 'INPROGRESS'],
    ['QUEUED', 'SUCCEEDED'],
    ['PENDING', 'INPROGRESS'],
    ['CLAIMED', 'SUCCEEDED'],
    ['CLAIMED', 'BLOCKED'],
    ['INPROGRESS', 'QUEUED'],
    ['INPROGRESS', 'PENDING'],
    ['SUCCEEDED', 'INPROGRESS'],
    ['FAILED', 'SUCCEEDED'],
    ['CANCELLED', 'INPROGRESS'],
    ['ERROR', 'CANCELLED'],
  ] as const)('%s → %s is refused', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  test('every working state and BLOCKED can fail, error or be cancelled', () => {
    for (const from of [...WORKING_STATES, 'BLOCKED' as const]) {
      for (const to of ['FAILED', 'ERROR', 'CANCELLED'] as const) expect(canTransition(from, to)).toBe(true);
    }
  });

  test('a blocked run resumes, and only a running run can block', () => {
    expect(canTransition('INPROGRESS', 'BLOCKED')).toBe(true);
    expect(canTransition('BLOCKED', 'INPROGRESS')).toBe(true);
    expect(RUN_STATES.filter((s) => s !== 'BLOCKED' && canTransition(s, 'BLOCKED'))).toEqual(['INPROGRESS']);
  });

  test('an ended run goes back to QUEUED only (a follow-up starts its next execution)', () => {
    for (const from of TERMINAL_STATES) {
      expect(RUN_STATES.filter((to) => to !== from && canTransition(from, to))).toEqual(['QUEUED']);
    }
  });

  test('staying in the same state is always allowed (a retried write)', () => {
    for (const state of RUN_STATES) expect(canTransition(state, state)).toBe(true);
  });
});
