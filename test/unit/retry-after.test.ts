import { retryAfterMs } from '../../activities/call-model';

describe('retryAfterMs (provider back-off hints)', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test('reads retry-after-ms first, then Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, now)).toBe(1500);
    expect(retryAfterMs({ 'Retry-After': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': new Date(now + 7000).toUTCString() }, now)).toBe(7000);
  });
  test('ignores missing, negative and malformed values, and caps long waits at five minutes', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after-ms': '-5' }, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '86400' }, now)).toBe(300_000);
  });
});
