import { type OutputFormat } from './flags';

export interface Sink {
  write(chunk: string): unknown;
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  magenta: [35, 39],
  cyan: [36, 39],
} as const;
export type Colour = keyof typeof CODES;

/** Writes command results in the chosen format; `pretty` adds colours only when the terminal is a TTY. */
export class Output {
  constructor(
    readonly format: OutputFormat,
    private readonly stdout: Sink,
    private readonly colour: boolean,
  ) {}

  get structured(): boolean {
    return this.format === 'json' || this.format === 'ndjson';
  }

  paint(colour: Colour, text: string): string {
    if (!this.colour || this.format !== 'pretty') return text;
    const [open, close] = CODES[colour];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** One JSON document (json) or one compact object per line (ndjson). */
  json(value: unknown): void {
    this.stdout.write(`${this.format === 'json' ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
  }

  /** Aligned columns with a header in pretty, tab-separated values without a header in text. */
  table(headers: string[], rows: string[][]): void {
    if (this.format === 'text') {
      for (const row of rows) this.line(row.join('\t'));
      return;
    }
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
    const render = (cells: string[]): string =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - visibleLength(c))))
        .join('  ')
        .trimEnd();
    this.line(this.paint('bold', render(headers)));
    for (const row of rows) this.line(render(row));
  }

  state(state: string): string {
    const colour: Colour =
      state === 'SUCCEEDED'
        ? 'green'
        : state === 'FAILED' || state === 'ERROR'
          ? 'red'
          : state === 'CANCELLED'
            ? 'yellow'
            : state === 'BLOCKED'
              ? 'magenta'
              : 'cyan';
    return this.paint(colour, state);
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `2026-05-01T12:34:56.789Z` → `2026-05-01 12:34:56` (UTC), short enough for a table. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 19);
}
