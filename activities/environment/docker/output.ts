/** Output handling shared by provisioning steps: line splitting for progress events and the tail kept for errors. */

const TAIL_LINES = 30;
const TAIL_CHARS = 4_000;

/** The last lines of a command's output, bounded, for an error message a person reads. */
export function tailOf(text: string, lines = TAIL_LINES, chars = TAIL_CHARS): string {
  const kept = text.replace(/\s+$/, '').split('\n').slice(-lines).join('\n');
  return kept.length > chars ? `…${kept.slice(-chars)}` : kept;
}

/** Keeps the last `cap` characters of everything pushed. */
export class TailBuffer {
  private text = '';
  constructor(private readonly cap = 64 * 1024) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > 2 * this.cap) this.text = this.text.slice(-this.cap);
  }
  toString(): string {
    return this.text.slice(-this.cap);
  }
}

/**
 * Turns chunks into complete lines for `emit`, one splitter per stream so stdout and stderr lines never merge.
 * Stops after `maxLines` and says how many were left out, so a noisy command cannot flood the run's events.
 */
export class LineEmitter {
  private partial = '';
  private emitted = 0;
  private dropped = 0;
  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxLines: number,
  ) {}
  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.line(line);
  }
  flush(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    if (this.dropped > 0) this.emit(`… ${this.dropped} more lines not shown`);
    this.dropped = 0;
  }
  private line(line: string): void {
    if (this.emitted >= this.maxLines) {
      this.dropped += 1;
      return;
    }
    this.emitted += 1;
    this.emit(line);
  }
}
