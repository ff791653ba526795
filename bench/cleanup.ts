/**
 * What the bench started, stopped in reverse order. Everything registers here the moment it starts, so an error or
 * a Ctrl-C halfway through setup still stops exactly what was started and nothing else.
 */
export class Cleanup {
  private readonly steps: { name: string; stop: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly log: (line: string) => void) {}

  add(name: string, stop: () => Promise<unknown>): void {
    if (this.running) {
      // Started while stopping (a setup step that was already under way): stop it too, right away.
      void stop().catch((err: unknown) => this.log(`  could not stop ${name}: ${(err as Error).message}`));
      return;
    }
    this.steps.push({ name, stop });
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  /** Idempotent: the signal handler and the normal exit path may both call it. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.stop();
        } catch (err) {
          this.log(`  could not stop ${step.name}: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}
