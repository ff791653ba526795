/**
 * Redaction: every occurrence of a secret value, or of its common encodings, becomes `***` before text is stored
 * or printed. Encodings covered: base64 and base64url (also when the value sits inside a longer encoded string,
 * at any of the three byte alignments), URL encoding (both %20 and + for spaces), hex (both cases) and the JSON
 * string escape of the value. Values shorter than MIN_REDACTED_LENGTH are not redacted (they would blank out
 * ordinary text); encoded fragments shorter than MIN_FRAGMENT_LENGTH are skipped for the same reason.
 */
export const REDACTED = '***';
export const MIN_REDACTED_LENGTH = 3;
const MIN_FRAGMENT_LENGTH = 6;

/** The forms of `value` that count as the value: plain and encoded. */
export function secretForms(value: string): string[] {
  if (value.length < MIN_REDACTED_LENGTH) return [];
  const raw = Buffer.from(value, 'utf8');
  const forms = new Set<string>([value]);
  const add = (f: string): void => {
    if (f.length >= MIN_FRAGMENT_LENGTH || f === value) forms.add(f);
  };
  for (const alphabet of ['base64', 'base64url'] as const) {
    add(raw.toString(alphabet));
    add(raw.toString(alphabet).replace(/=+$/, ''));
    // Inside a longer string the value's bytes start at offset 0, 1 or 2 of a 3-byte group: keep the characters
    // that depend on the value's bits only.
    for (let offset = 1; offset <= 2; offset += 1) {
      const shifted = Buffer.concat([Buffer.alloc(offset), raw])
        .toString(alphabet)
        .replace(/=+$/, '');
      const start = Math.ceil((8 * offset) / 6);
      const end = Math.floor((8 * (offset + raw.length)) / 6);
      add(shifted.slice(start, end));
    }
    const aligned = raw.toString(alphabet).replace(/=+$/, '');
    add(aligned.slice(0, Math.floor((8 * raw.length) / 6)));
  }
  add(encodeURIComponent(value));
  add(encodeURIComponent(value).replace(/%20/g, '+'));
  add(encodeURI(value));
  add(raw.toString('hex'));
  add(raw.toString('hex').toUpperCase());
  add(JSON.stringify(value).slice(1, -1));
  return [...forms];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces every form of every value with `***`. Build once per set of values; `redact` is cheap. */
export class Redactor {
  private readonly pattern: RegExp | undefined;

  constructor(values: Iterable<string>) {
    const forms = new Set<string>();
    for (const v of values) for (const f of secretForms(v)) forms.add(f);
    // Longest first, so a value is replaced whole rather than a shorter form inside it.
    const sorted = [...forms].sort((a, b) => b.length - a.length);
    this.pattern = sorted.length > 0 ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  get empty(): boolean {
    return this.pattern === undefined;
  }

  redact(text: string): string {
    if (!this.pattern || text.length === 0) return text;
    return text.replace(this.pattern, REDACTED);
  }

  /** A copy of a JSON-like value with every string (keys too) redacted; other values are kept. */
  redactDeep<T>(value: T): T {
    if (!this.pattern) return value;
    return this.walk(value, new WeakMap()) as T;
  }

  private walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return seen.get(value);
    if (Buffer.isBuffer(value) || value instanceof Uint8Array || value instanceof Date) return value;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const v of value) out.push(this.walk(v, seen));
      return out;
    }
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const [k, v] of Object.entries(value)) out[this.redact(k)] = this.walk(v, seen);
    return out;
  }
}

export const NO_REDACTION = new Redactor([]);
