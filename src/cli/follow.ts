import { type AmbitClient, NotFoundError, type RunItem, UnprocessableEntityError } from '../client';
import { isTerminalState } from '../domain';
import { flattenConversation, type TranscriptEntry } from './transcript';

export interface FollowOptions {
  client: AmbitClient;
  runId: string;
  intervalMs: number;
  /** Fetch the conversation too and report entries not seen before. */
  transcript: boolean;
  signal?: AbortSignal;
  onState(run: RunItem, previous: RunItem | undefined): void;
  onEntry(entry: TranscriptEntry): void;
}

/**
 * Polls a run (and its conversation) until it reaches a terminal state, reporting each state change and each new
 * transcript entry once. Resolves to the final run. BLOCKED is reported and waited through: a human may unblock it.
 */
export async function followRun(o: FollowOptions): Promise<RunItem> {
  const seen = new Set<string>();
  let previous: RunItem | undefined;
  let transcript = o.transcript;
  for (;;) {
    const run = await o.client.runs.get(o.runId, { signal: o.signal });
    const terminal = isTerminalState(run.state);
    const changed = previous?.state !== run.state;
    // A terminal state is reported after the transcript, so the last steps print before the outcome.
    if (changed && !terminal) o.onState(run, previous);
    if (transcript) {
      try {
        const conversation = await o.client.runs.conversation(o.runId, { signal: o.signal });
        for (const entry of flattenConversation(conversation)) {
          if (seen.has(entry.key)) continue;
          seen.add(entry.key);
          o.onEntry(entry);
        }
      } catch (err) {
        // No conversation yet (404), or one the normalized endpoint cannot show (422): keep reporting states.
        if (err instanceof UnprocessableEntityError) transcript = false;
        else if (!(err instanceof NotFoundError)) throw err;
      }
    }
    if (changed && terminal) o.onState(run, previous);
    if (terminal) return run;
    previous = run;
    await delay(o.intervalMs, o.signal);
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
