/**
 * `ambit attach <id>`: an interactive session on a run. Prints the run's timeline so far, then reads lines: a line
 * is a follow-up for the agent (to an ended run it starts a new execution), `/interrupt` stops the current step,
 * `/cancel` cancels the run, `/quit` (or Ctrl-C) leaves; the agent's answers and tool calls print as they happen.
 * Without a TTY it reads lines from stdin; at the end of input it waits for the run to stop working, then leaves.
 */
import readline from 'node:readline';
import { type Command } from 'commander';
import { type RunEvent } from '../../client';
import { isTerminalState, type RunState } from '../../domain';
import { type CliIO, type CliState, type CommandContext, commandContext } from '../context';
import { describeError, EXIT_INTERRUPTED } from '../errors';
import { parseFlags, RunIdSchema } from '../flags';
import { renderEvent } from './watch';

const HELP = 'Type a message to send it to the agent. Commands: /interrupt, /cancel, /quit, /help.';

export function registerAttachCommand(program: Command, io: CliIO, state: CliState): void {
  program
    .command('attach')
    .description('Attach to a run: its timeline so far, then send messages and read the answers live.')
    .argument('<id>', 'run id')
    .addHelpText(
      'after',
      `
Inside the session:
  <text>       send a follow-up (an ended run runs again with it)
  /interrupt   stop the current step; the agent waits for your next message
  /cancel      cancel the run
  /quit        leave (Ctrl-C too); the run keeps going

Examples:
  $ ambit attach run_123
  $ echo "Also update the changelog" | ambit attach run_123`,
    )
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      await attach(ctx, parseFlags(RunIdSchema, { id }, { id: '<id>' }).id);
    });
}

interface StreamState {
  lastEventId?: string;
  state?: string;
  /** Resolves when the current event stream ends (the run ended, or the session is leaving). */
  following?: Promise<void>;
}

async function attach(ctx: CommandContext, runId: string): Promise<void> {
  const { out, io } = ctx;
  const input = io.stdin ?? process.stdin;
  const interactive = (input as { isTTY?: boolean }).isTTY === true && io.stdout.isTTY === true;
  const leave = new AbortController();
  const onSignal = () => leave.abort();
  io.signal?.addEventListener('abort', onSignal, { once: true });

  const run = await ctx.client.runs.get(runId, { signal: leave.signal });
  const rl = readline.createInterface({
    input,
    ...(interactive ? { output: io.stdout as NodeJS.WritableStream, prompt: '› ' } : {}),
    terminal: interactive,
  });
  // Lines printed while the user types go above the prompt, which is then redrawn with what was typed.
  const print = (text: string) => {
    if (interactive) {
      io.stdout.write('\r\u001b[2K');
      out.line(text);
      rl.prompt(true);
    } else out.line(text);
  };
  const printError = (err: unknown) => print(describeError(err, ctx.state.errors).line);

  // The prompt itself comes first in the timeline (a user message event), like every later message.
  out.line(`${out.paint('bold', 'Attached to')} ${out.paint('bold', runId)} · ${run.title}`);
  const stream: StreamState = { state: run.state };

  const follow = () => {
    if (stream.following) return;
    stream.following = (async () => {
      try {
        for await (const event of ctx.client.runs.events(runId, {
          signal: leave.signal,
          ...(stream.lastEventId ? { lastEventId: stream.lastEventId } : {}),
        })) {
          stream.lastEventId = event.id;
          const line = renderAttachEvent(ctx, runId, event, stream);
          if (line !== undefined) print(line);
        }
        if (stream.state && isTerminalState(stream.state as RunState)) {
          print(out.paint('dim', `The run ended (${stream.state}). Send a message to run it again, or /quit.`));
        }
      } catch (err) {
        if (!leave.signal.aborted) printError(err);
      } finally {
        stream.following = undefined;
      }
    })();
  };

  follow();
  print(out.paint('dim', HELP));

  const commands = async (line: string): Promise<'quit' | void> => {
    const text = line.trim();
    if (!text) return;
    try {
      if (text === '/quit' || text === '/exit') return 'quit';
      if (text === '/help') return print(out.paint('dim', HELP));
      if (text === '/interrupt') {
        const r = await ctx.client.runs.interrupt(runId, { signal: leave.signal });
        return print(
          `${out.paint('yellow', '■')} Interrupted at turn ${r.turn}; the agent waits for your next message.`,
        );
      }
      if (text === '/cancel') {
        await ctx.client.runs.cancel(runId, { signal: leave.signal });
        return print(`${out.paint('yellow', '■')} Cancel requested.`);
      }
      if (text.startsWith('/')) {
        return print(`Unknown command ${text.split(/\s/)[0]}. ${HELP}`);
      }
      const r = await ctx.client.runs.followup(runId, { message: text }, { signal: leave.signal });
      print(
        r.delivery === 'delivered'
          ? `${out.paint('green', '✓')} Sent; the agent sees it at its next step.`
          : `${out.paint('green', '✓')} The run runs again (execution ${r.execution}).`,
      );
      follow();
    } catch (err) {
      if (!leave.signal.aborted) printError(err);
    }
  };

  // Lines are handled one at a time, in order, even when they arrive faster than the API answers.
  let queue = Promise.resolve();
  const done = new Promise<'quit' | 'eof' | 'signal'>((resolve) => {
    rl.on('line', (line) => {
      queue = queue.then(async () => {
        if ((await commands(line)) === 'quit') resolve('quit');
        else if (interactive && !leave.signal.aborted) rl.prompt();
      });
    });
    rl.on('close', () => void queue.then(() => resolve('eof')));
    rl.on('SIGINT', () => resolve('signal'));
    leave.signal.addEventListener('abort', () => resolve('signal'), { once: true });
  });
  const how = await done;
  // At the end of piped input, what was sent is still answered: follow until the run stops working.
  if (how === 'eof' && stream.following) await stream.following;
  leave.abort();
  rl.close();
  await stream.following;
  io.signal?.removeEventListener('abort', onSignal);
  if (interactive) io.stdout.write('\n');
  if (how === 'signal') ctx.state.exitCode = EXIT_INTERRUPTED;
}

function renderAttachEvent(
  ctx: CommandContext,
  runId: string,
  event: RunEvent,
  stream: StreamState,
): string | undefined {
  const { out } = ctx;
  const d = (event.data ?? {}) as { state?: string; by?: string; name?: string; reason?: string; decision?: string };
  if (event.type === 'state_changed' && d.state) stream.state = d.state;
  switch (event.type) {
    case 'interrupted':
      return `${out.paint('yellow', '■')} interrupted by ${d.by ?? 'someone'}; waiting for instructions`;
    case 'approval_requested':
      return `${out.paint('magenta', '?')} ${d.name ?? 'an action'} waits for approval (${d.reason ?? ''}); decide with: ambit runs approve|deny ${runId}`;
    case 'approval_decided':
      return `${out.paint('magenta', '!')} ${d.decision ?? 'decided'} by ${d.by ?? 'someone'}`;
    default:
      return renderEvent(ctx, event);
  }
}
