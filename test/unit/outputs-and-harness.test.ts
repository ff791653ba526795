import { finalAnswer } from '../../activities/harness';
import { summarize } from '../../activities/outputs';

describe('summarize (the status message of a finished run)', () => {
  test('folds the report onto one line', () => {
    expect(summarize('  Fixed the bug.\n\n- a.ts\n\t- b.ts  \n')).toBe('Fixed the bug. - a.ts - b.ts');
  });

  test('keeps up to 280 characters whole', () => {
    const text = 'x'.repeat(280);
    expect(summarize(text)).toBe(text);
  });

  test('cuts longer text to 280 characters ending in an ellipsis', () => {
    const summary = summarize(`${'word '.repeat(100)}end`);
    expect(summary).toHaveLength(280);
    expect(summary.endsWith('…')).toBe(true);
    expect(summary.slice(0, 279)).toBe('word '.repeat(56).slice(0, 279));
  });

  test('counts the length after folding whitespace', () => {
    const text = `${'a'.repeat(140)}\n\n\n\n${'b'.repeat(139)}`;
    expect(summarize(text)).toBe(`${'a'.repeat(140)} ${'b'.repeat(139)}`);
  });

  test('empty text gives an empty summary', () => {
    expect(summarize(' \n ')).toBe('');
  });
});

describe('finalAnswer (what an external agent CLI answered)', () => {
  const jsonl = (...objects: unknown[]) => objects.map((o) => JSON.stringify(o)).join('\n');

  test("takes Claude Code's stream-json result and its token usage", () => {
    const stdout = jsonl(
      { type: 'system', subtype: 'init', cwd: '/work' },
      { type: 'assistant', message: { content: [{ type: 'text', text: 'Working on it' }] } },
      {
        type: 'result',
        subtype: 'success',
        result: 'Fixed the flaky test.',
        usage: { input_tokens: 40, output_tokens: 9 },
      },
    );
    expect(finalAnswer(`${stdout}\n\n`)).toEqual({ text: 'Fixed the flaky test.', inputTokens: 40, outputTokens: 9 });
  });

  test('finds the result when other JSON lines follow it', () => {
    const stdout = jsonl(
      { type: 'result', result: 'Done.', usage: { input_tokens: 3 } },
      { type: 'telemetry', flushed: true },
    );
    expect(finalAnswer(stdout)).toEqual({ text: 'Done.', inputTokens: 3, outputTokens: 0 });
  });

  test('a result without usage counts no tokens', () => {
    expect(finalAnswer(jsonl({ type: 'result', result: 'ok' }))).toEqual({
      text: 'ok',
      inputTokens: 0,
      outputTokens: 0,
    });
  });

  test('plain output is the answer as printed, trimmed', () => {
    expect(finalAnswer('Reading files...\nAll tests pass now.\n')).toEqual({
      text: 'Reading files...\nAll tests pass now.',
      inputTokens: 0,
      outputTokens: 0,
    });
  });

  test('long plain output keeps its last 4000 characters', () => {
    const stdout = `${'noise '.repeat(2000)}THE ANSWER`;
    const answer = finalAnswer(stdout);
    expect(answer.text).toHaveLength(4000);
    expect(answer.text.endsWith('THE ANSWER')).toBe(true);
  });

  test('JSON output without a result object (an error run) falls back to the raw output', () => {
    const stdout = jsonl(
      { type: 'system', subtype: 'init' },
      { type: 'result', subtype: 'error_max_turns', is_error: true },
    );
    expect(finalAnswer(stdout)).toEqual({ text: stdout, inputTokens: 0, outputTokens: 0 });
  });
});
