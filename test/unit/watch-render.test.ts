/** `ambit runs watch` lines for the steering events: approvals asked and answered, interrupts. */
import type { CommandContext } from '../../src/cli/context';
import { renderEvent } from '../../src/cli/commands/watch';
import { Output } from '../../src/cli/output';

const ctx = { out: new Output('pretty', { write: () => true }, false) } as unknown as CommandContext;
const event = (type: string, data: unknown) => ({
  id: '1',
  run_id: 'run_1',
  type,
  created_at: '2026-11-29T00:00:00.000Z',
  data,
});

describe('renderEvent', () => {
  test('an approval request names the tool, its input and how to answer', () => {
    expect(
      renderEvent(
        ctx,
        event('approval_requested', { action_id: 'a1', name: 'run_shell_command', input: { command: 'git push' } }),
      ),
    ).toBe('? approval needed for run_shell_command {"command":"git push"}  (ambit runs approve|deny run_1)');
  });

  test('a decision says who approved or denied, with the comment', () => {
    expect(renderEvent(ctx, event('approval_decided', { decision: 'approve', by: 'ada' }))).toBe('✓ approved by ada');
    expect(renderEvent(ctx, event('approval_decided', { decision: 'deny', by: 'bob', comment: 'not on main' }))).toBe(
      '✗ denied by bob: not on main',
    );
  });

  test('an interrupt says who stopped the run and that it waits for a follow-up', () => {
    expect(renderEvent(ctx, event('interrupted', { by: 'ada', turn: 2 }))).toBe(
      '■ interrupted by ada; waiting for a follow-up',
    );
  });
});
