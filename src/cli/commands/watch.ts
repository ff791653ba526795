import { type Command } from 'commander';
import { z } from 'zod';
import { type RunEvent } from '../../client';
import { isTerminalState, type RunState } from '../../domain';
import { type CliIO, type CliState, type CommandContext, commandContext } from '../context';
import { parseFlags, RunIdSchema } from '../flags';
import { truncate } from '../output';

const WatchFlagsSchema = RunIdSchema.extend({
  since: z.string().regex(/^\d+$/, 'takes the numeric id of an event, e.g. --since 42').optional(),
});

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface EventData {
  state?: string;
  status_message?: { message?: string };
  role?: string;
  text?: string;
  name?: string;
  input?: unknown;
  output?: unknown;
  filename?: string;
  message?: string;
  line?: string;
  source?: string;
  by?: string;
  decision?: string;
  comment?: string;
  action_id?: string;
}

/** One event as a line; undefined for events not worth a line. */
export function renderEvent(ctx: CommandContext, event: RunEvent): string | undefined {
  const { out } = ctx;
  const d = (event.data ?? {}) as EventData;
  switch (event.type) {
    case 'state_changed':
      return `${out.paint('bold', '●')} ${out.state(d.state ?? '?')}${d.status_message?.message ? `  ${out.paint('dim', truncate(d.status_message.message, 200))}` : ''}`;
    case 'message':
      return d.role === 'assistant' && d.text
        ? d.text
        : d.role === 'user' && d.text
          ? out.paint('dim', `› ${truncate(d.text, 200)}`)
          : undefined;
    case 'tool_call':
      return `${out.paint('cyan', '→')} ${d.name ?? 'tool'} ${out.paint('dim', truncate(JSON.stringify(d.input ?? {}), 160))}`;
    case 'tool_result':
      return (d as { state?: string }).state === 'completed'
        ? `${out.paint('green', '✓')} ${d.name ?? 'tool'}`
        : `${out.paint('red', '✗')} ${d.name ?? 'tool'}`;
    case 'output':
      return `${out.paint('magenta', '⇒')} ${d.filename ?? 'artifact'}`;
    case 'log':
      return out.paint('dim', `  ${truncate(d.message ?? d.line ?? '', 200)}`);
    case 'approval_requested':
      return `${out.paint('yellow', '?')} approval needed for ${d.name ?? 'a tool call'} ${out.paint('dim', truncate(JSON.stringify(d.input ?? {}), 160))}  ${out.paint('dim', `(ambit runs approve|deny ${event.run_id})`)}`;
    case 'approval_decided':
      return `${out.paint(d.decision === 'approve' ? 'green' : 'red', d.decision === 'approve' ? '✓' : '✗')} ${d.decision === 'approve' ? 'approved' : 'denied'} by ${d.by ?? '?'}${d.comment ? `: ${truncate(d.comment, 160)}` : ''}`;
    case 'interrupted':
      return `${out.paint('yellow', '■')} interrupted by ${d.by ?? '?'}; waiting for a follow-up`;
    default:
      return undefined;
  }
}

export function registerWatchCommand(runs: Command, io: CliIO, state: CliState): void {
  runs
    .command('watch')
    .description("Follow a run's live events (state changes, messages, tool calls, outputs) until it ends.")
    .argument('<id>', 'run id')
    .option('--since <event_id>', 'resume after this event id (the last one you saw)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ ambit runs watch run_123\n  $ ambit runs watch run_123 -o ndjson | jq .type',
    )
    .action(async (id: string, opts: { since?: string }, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const f = parseFlags(WatchFlagsSchema, { id, since: opts.since }, { id: '<id>', since: '--since' });
      await watchRun(ctx, f.id, f.since);
    });
}

async function watchRun(ctx: CommandContext, runId: string, since: string | undefined): Promise<void> {
  const { out, io } = ctx;
  const live = out.format === 'pretty' && io.stdout.isTTY === true;
  const started = Date.now();
  let finalState: string | undefined;
  let current = 'QUEUED';
  let frame = 0;
  // On a terminal, a spinner line with the elapsed time is redrawn between events; piped output gets plain lines.
  const clear = () => live && io.stdout.write('\r\u001b[2K');
  const spinner = live
    ? setInterval(() => {
        clear();
        io.stdout.write(
          `${out.paint('cyan', SPINNER[frame++ % SPINNER.length] ?? '')} ${current} · ${Math.round((Date.now() - started) / 1000)}s`,
        );
      }, 100)
    : undefined;
  try {
    for await (const event of ctx.client.runs.events(runId, {
      signal: io.signal,
      ...(since ? { lastEventId: since } : {}),
    })) {
      if (event.type === 'state_changed') {
        const s = (event.data as EventData).state;
        if (s) current = s;
        if (s && isTerminalState(s as RunState)) finalState = s;
      }
      if (out.structured) {
        out.json(event);
        continue;
      }
      const line = out.format === 'text' ? `${event.id} ${event.type}` : renderEvent(ctx, event);
      if (line === undefined) continue;
      clear();
      out.line(line);
    }
  } finally {
    if (spinner) clearInterval(spinner);
    clear();
  }
  const run = finalState ? undefined : await ctx.client.runs.get(runId);
  const end = finalState ?? run?.state;
  if (end !== 'SUCCEEDED') ctx.state.exitCode = 1;
}
