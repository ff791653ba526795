/** Pure pieces of the run services: durations, generated titles and cursors. */
import { AppError } from '../../src/services/app-error';
import { decodeCursor, encodeCursor } from '../../src/services/run-cursor';
import { isoDuration } from '../../src/services/run-item';
import { titleFromPrompt } from '../../src/services/start-run';

describe('isoDuration', () => {
  it.each([
    [0, 'PT0S'],
    [999, 'PT0S'],
    [42_000, 'PT42S'],
    [150_000, 'PT2M30S'],
    [3_600_000, 'PT1H0M0S'],
    [93_784_000, 'PT26H3M4S'],
    [-5_000, 'PT0S'],
  ])('formats %i ms as %s', (ms, expected) => {
    expect(isoDuration(ms)).toBe(expected);
  });
});

describe('titleFromPrompt', () => {
  it('takes the first non-empty line, collapsing whitespace', () => {
    expect(titleFromPrompt('\n  \n  Fix   the\tbug  \nmore', 'x')).toBe('Fix the bug');
  });
  it('cuts long lines at a word boundary to at most 80 characters', () => {
    const title = titleFromPrompt(`${'abcdefghi '.repeat(20)}`, 'x');
    expect(title.length).toBeLessThanOrEqual(80);
    expect(title).toMatch(/^(abcdefghi )*abcdefghi…$/);
  });
  it('cuts a single long word hard', () => {
    const title = titleFromPrompt('x'.repeat(200), 'fallback');
    expect(title).toBe(`${'x'.repeat(79)}…`);
  });
  it('falls back when the prompt is empty or absent', () => {
    expect(titleFromPrompt('   \n', 'fallback')).toBe('fallback');
    expect(titleFromPrompt(undefined, 'skill')).toBe('skill');
  });
});

describe('run cursors', () => {
  const run = {
    id: 'run_1',
    updatedAt: new Date('2026-01-01T00:00:00.123Z'),
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    title: 'T',
    configName: null,
  };

  it('round-trips the sort value and id, opaque to clients', () => {
    const cursor = encodeCursor('updated_at', 'desc', run);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'updated_at', 'desc')).toEqual({
      s: 'updated_at',
      o: 'desc',
      v: '2026-01-01T00:00:00.123Z',
      id: 'run_1',
    });
    expect(decodeCursor(encodeCursor('agent', 'asc', run), 'agent', 'asc').v).toBeNull();
  });

  it('rejects tampered cursors and cursors of another sort', () => {
    const forged = Buffer.from(JSON.stringify({ s: 'created_at', o: 'desc', v: 'not a date', id: 'x' })).toString(
      'base64url',
    );
    for (const [cursor, sortBy] of [
      [forged, 'created_at'],
      ['%%%', 'created_at'],
      [encodeCursor('title', 'desc', run), 'created_at'],
    ] as const) {
      expect(() => decodeCursor(cursor, sortBy, 'desc')).toThrow(AppError);
    }
  });
});
