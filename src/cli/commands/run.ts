import { type Command, Option } from 'commander';
import { APIUserAbortError, type RunItem } from '../../client';
import { isTerminalState, RunAgentRequestSchema, type RunAgentRequest } from '../../domain';
import { type CliIO, type CliState, type CommandContext, commandContext } from '../context';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, UsageError } from '../errors';
import { parseFlags, RunFlagsSchema } from '../flags';
import { followRun } from '../follow';
import { parseMcpFlags } from '../mcp';
import { renderEntry, type TranscriptEntry } from '../transcript';

const EXAMPLES = `
Examples:
  $ ambit run "Fix the failing test in src/auth" --follow
  $ ambit run "Upgrade lodash" --model anthropic/claude-sonnet-4-5 --environment env_123 --wait
  $ ambit run "Summarize open issues" --mcp 'github={"url":"https://mcp.example.com/mcp"}'
  $ ambit run "Nightly dependency check" --name nightly-deps --team -o json`;

const REQUEST_FLAGS: Record<string, string> = {
  prompt: '<prompt>',
  title: '--title',
  config: '--model/--environment/--name/--mcp',
  'config.model_id': '--model',
  'config.environment_id': '--environment',
  'config.name': '--name',
  'config.mcp_servers': '--mcp',
};

export function registerRunCommand(program: Command, io: CliIO, state: CliState): void {
  program
    .command('run')
    .description('Start an agent run and print its id and link; --follow streams it until it ends.')
    .argument('<prompt>', 'what the agent should do')
    .option(
      '-m, --model <model_id>',
      'model as <provider>/<model> (default: the team default; see `ambit models list`)',
    )
    .option('-e, --environment <id>', 'environment to run in')
    .option(
      '--mcp <json>',
      'MCP server: name=<json> or a JSON map of name → {command,args,env} | {url,headers} (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--name <name>', 'config name, to group and filter runs (`ambit runs list --name`)')
    .option('--title <title>', 'title of the run (generated from the prompt when absent)')
    .option('--team', 'make the run team-owned')
    .option('--personal', 'make the run personal')
    .option('-f, --follow', 'print state changes and transcript steps until the run ends (exit 1 unless it succeeds)')
    .option('-w, --wait', 'wait quietly until the run ends, then print it (exit 1 unless it succeeds)')
    .addOption(new Option('--poll-interval-ms <ms>', 'how often --follow/--wait poll').default('1000').hideHelp())
    .addHelpText('after', EXAMPLES)
    .action(async (prompt: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      state.exitCode = await startRun(ctx, { ...opts, prompt });
    });
}

async function startRun(ctx: CommandContext, raw: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(RunFlagsSchema, raw, { prompt: '<prompt>', team: '--team' });
  const request: RunAgentRequest = {
    prompt: flags.prompt,
    source: 'CLI',
    ...(flags.title ? { title: flags.title } : {}),
    ...(flags.team ? { team: true } : flags.personal ? { team: false } : {}),
  };
  const config: NonNullable<RunAgentRequest['config']> = {};
  if (flags.model) config.model_id = flags.model;
  if (flags.environment) config.environment_id = flags.environment;
  if (flags.name) config.name = flags.name;
  const mcp = parseMcpFlags(flags.mcp);
  if (mcp) config.mcp_servers = mcp;
  if (Object.keys(config).length > 0) request.config = config;
  const checked = RunAgentRequestSchema.safeParse(request);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const path = issue.path.join('.');
    const flag = REQUEST_FLAGS[path] ?? REQUEST_FLAGS[String(issue.path[0])] ?? path;
    throw new UsageError(`${flag} ${issue.message}`);
  }

  const { client, out } = ctx;
  const created = await client.runs.create(checked.data);
  // The create response has no link; the run itself does. A failed read must not hide that the run exists.
  const run = await client.runs.get(created.run_id).catch(() => undefined);
  const link = run?.session_link ?? `${client.apiRoot}/agent/runs/${encodeURIComponent(created.run_id)}`;
  const waiting = flags.follow || flags.wait;

  if (out.format === 'ndjson') {
    out.json({ type: 'run.created', run_id: created.run_id, state: created.state, session_link: link });
  } else if (out.format === 'json') {
    if (!waiting) out.json(run ?? { ...created, session_link: link });
  } else if (out.format === 'text') {
    out.line(created.run_id);
    out.line(link);
  } else {
    out.line(
      `${out.paint('green', '✓')} Run ${out.paint('bold', created.run_id)} created ${out.paint('dim', `(${created.state})`)}`,
    );
    out.line(`  ${out.paint('dim', 'View:')} ${link}`);
    if (created.at_capacity) out.line(out.paint('yellow', '  At capacity: the run is queued until a slot frees up.'));
  }
  if (!waiting) return EXIT_OK;

  let final: RunItem;
  try {
    final = await followRun({
      client,
      runId: created.run_id,
      intervalMs: flags.pollIntervalMs,
      transcript: flags.follow,
      signal: ctx.io.signal,
      onState: (r) => {
        if (flags.follow && !isTerminalState(r.state)) reportState(ctx, r);
      },
      onEntry: (entry) => reportEntry(ctx, entry),
    });
  } catch (err) {
    if (!(err instanceof APIUserAbortError)) throw err;
    ctx.io.stderr.write(
      `Stopped waiting; run ${created.run_id} goes on. See it with: ambit runs get ${created.run_id}\n`,
    );
    return EXIT_INTERRUPTED;
  }
  reportOutcome(ctx, final);
  return final.state === 'SUCCEEDED' ? EXIT_OK : EXIT_FAILURE;
}

function reportState(ctx: CommandContext, run: RunItem): void {
  const { out } = ctx;
  if (out.format === 'ndjson') {
    out.json({ type: 'run.state', run_id: run.run_id, state: run.state, status_message: run.status_message });
  } else if (out.format === 'text') {
    out.line(`state: ${run.state}`);
  } else if (out.format === 'pretty') {
    const note = run.status_message?.message ? ` ${out.paint('dim', run.status_message.message)}` : '';
    out.line(`${out.paint('dim', '●')} ${out.state(run.state)}${note}`);
  }
}

function reportEntry(ctx: CommandContext, entry: TranscriptEntry): void {
  const { out } = ctx;
  if (out.format === 'ndjson') {
    const { key: _key, ...event } = entry;
    out.json(event);
  } else if (out.format !== 'json') {
    const text = renderEntry(entry, out, { full: false });
    if (text !== undefined) out.line(text);
  }
}

function reportOutcome(ctx: CommandContext, run: RunItem): void {
  const { out } = ctx;
  const message = run.status_message?.message;
  if (out.format === 'json') {
    out.json(run);
  } else if (out.format === 'ndjson') {
    out.json({ type: 'run.finished', run_id: run.run_id, state: run.state, status_message: run.status_message });
  } else if (run.state === 'SUCCEEDED') {
    out.line(
      out.format === 'text'
        ? 'state: SUCCEEDED'
        : `${out.paint('green', '✓')} Run ${run.run_id} ${out.state('SUCCEEDED')}`,
    );
  } else {
    const suffix = message ? `: ${message}` : '';
    out.line(
      out.format === 'text'
        ? `state: ${run.state}${suffix}`
        : `${out.paint('red', '✗')} Run ${run.run_id} ${out.state(run.state)}${suffix}`,
    );
  }
}
