/**
 * The runs a host worker has accepted. A run takes a slot when its first host activity (`acceptRun`) starts and
 * gives it back when its environment is cleaned up; a host with every slot taken refuses new runs, which then wait
 * QUEUED on the host's task queue. Slots live in the worker's memory: after a restart, a run that already holds one
 * takes it back at its next host activity (without the capacity check: it was admitted before).
 */
export class HostSlots {
  private readonly runs = new Map<string, string>();
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly hostId: string,
    readonly capacity: number,
  ) {}

  /** Takes a slot for the run (or finds the one it holds). False when the host is full. */
  tryAccept(runId: string): boolean {
    if (this.runs.has(runId)) return true;
    if (this.runs.size >= this.capacity) return false;
    this.add(runId);
    return true;
  }

  /** A host activity of an admitted run: re-registers it after a worker restart. */
  touch(runId: string): void {
    if (!this.runs.has(runId)) this.add(runId);
  }

  release(runId: string): void {
    if (this.runs.delete(runId)) this.changed();
  }

  runIds(): string[] {
    return [...this.runs.keys()];
  }

  /** Called after every change (the host's report to the registry goes out right away). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private add(runId: string): void {
    this.runs.set(runId, new Date().toISOString());
    this.changed();
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
