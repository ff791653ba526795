import { type Command, Option } from 'commander';
import { APIUserAbortError, type RunItem } from '../../client';
import { isTerminalState, RunAgentRequestSchema, type RunAgentRequest } from '../../domain';
import { type CliIO, type CliState, type CommandContext, commandContext } from '../context';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, UsageError } from '../errors';
import { parseFlags, RunFlagsSchema } from '../flags';
import { followRun } from '../follow';
import { parseMcpFlags } from '../mcp';
import { renderEntry, type TranscriptEntry } from '../transcript';
import { parseParams } from './prompt';
import {
  ciMetadata,
  ciPromptBlock,
  detectCiContext,
  githubAnnotation,
  parseMetadataPairs,
  readFileAttachment,
  readLogAttachment,
  writeGithubOutputs,
  appendGithubSummary,
  type FileAttachment,
} from '../ci';
import { z } from 'zod';

const EXAMPLES = `
Examples:
  $ ambit run "Fix the failing test in src/auth" --follow
  $ ambit run "Upgrade lodash" --model anthropic/claude-sonnet-4-5 --environment env_123 --wait
  $ ambit run "Summarize open issues" --mcp 'github={"url":"https://mcp.example.com/mcp"}'
  $ ambit run "Nightly dependency check" --name nightly-deps --team -o json
  $ ambit run "Find why the build failed and fix it" --ci --log-file build.log   # in a CI job`;

const REQUEST_FLAGS: Record<string, string> = {
  prompt: '<prompt>',
  attachments: '--attach/--log-file',
  metadata: '--metadata',
  title: '--title',
  config: '--model/--environment/--name/--mcp',
  'config.model_id': '--model',
  'config.environment_id': '--environment',
  'config.name': '--name',
  'config.mcp_servers': '--mcp',
  'config.saved_prompt': '--saved-prompt',
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const CiFlagsSchema = z.object({
  ci: z.boolean().default(false),
  repository: z.string().trim().min(1, 'needs a value, e.g. --repository acme/api').optional(),
  commit: z.string().trim().min(1, 'needs a value, e.g. --commit 3f2a9c1').optional(),
  ref: z.string().trim().min(1, 'needs a value, e.g. --ref refs/heads/main').optional(),
  ciUrl: z.url({ error: 'must be a URL, e.g. --ci-url https://ci.example.com/build/12' }).optional(),
  logFile: z.string().trim().min(1, 'needs a path').optional(),
  attach: z.array(z.string()).default([]),
  metadata: z.array(z.string()).default([]),
});

/** Stands for "no prompt" while the flags are checked: --saved-prompt and --skill runs need none. */
const SAVED_ONLY = '\u0000saved-prompt';

function savedPromptOf(raw: Record<string, unknown>): NonNullable<RunAgentRequest['config']>['saved_prompt'] {
  const name = raw['savedPrompt'];
  const params = (raw['param'] as string[] | undefined) ?? [];
  const version = raw['promptVersion'];
  if (typeof name !== 'string') {
    if (params.length > 0 || version !== undefined)
      throw new UsageError('--param and --prompt-version need --saved-prompt');
    return undefined;
  }
  if (!name.trim()) throw new UsageError('--saved-prompt needs a name, e.g. --saved-prompt fix-tests');
  const n = version === undefined ? undefined : Number(version);
  if (n !== undefined && (!Number.isInteger(n) || n < 1))
    throw new UsageError('--prompt-version must be a whole number from 1');
  return {
    name: name.trim(),
    ...(n !== undefined ? { version: n } : {}),
    ...(params.length ? { params: parseParams(params) } : {}),
  };
}

export function registerRunCommand(program: Command, io: CliIO, state: CliState): void {
  program
    .command('run')
    .description('Start an agent run and print its id and link; --follow streams it until it ends.')
    .argument('[prompt]', 'what the agent should do (optional with --saved-prompt: added after the template)')
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
    .option('--saved-prompt <name>', 'start from a saved prompt (see `ambit prompt list`)')
    .option('--skill <owner/repo:path>', 'start from a skill (see `ambit agent skills`)')
    .option(
      '--param <KEY=VALUE>',
      'a parameter of --saved-prompt (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--prompt-version <n>', 'a given version of --saved-prompt (default: its latest)')
    .option('--name <name>', 'config name, to group and filter runs (`ambit runs list --name`)')
    .option('--title <title>', 'title of the run (generated from the prompt when absent)')
    .option('--team', 'make the run team-owned')
    .option('--personal', 'make the run personal')
    .option('-f, --follow', 'print state changes and transcript steps until the run ends (exit 1 unless it succeeds)')
    .option('-w, --wait', 'wait quietly until the run ends, then print it (exit 1 unless it succeeds)')
    .option(
      '--ci',
      'for CI jobs: wait quietly, print one line per state and a link, exit 0 only if the run succeeds; adds the ' +
        "job's context (repository, commit, ref, CI run link; detected in GitHub Actions) to the run",
    )
    .option('--repository <owner/repo>', 'CI context: the repository (default in GitHub Actions: GITHUB_REPOSITORY)')
    .option('--commit <sha>', 'CI context: the commit (default in GitHub Actions: GITHUB_SHA)')
    .option('--ref <ref>', 'CI context: the branch or tag ref (default in GitHub Actions: GITHUB_REF)')
    .option('--ci-url <url>', 'CI context: link to the CI run (default in GitHub Actions: built from GITHUB_*)')
    .option('--log-file <path>', "attach the failing job's log (its last 512 KB) and point the agent at it")
    .option('--attach <file>', 'attach a file to the run (repeatable; at most 5 in all)', collect)
    .option('--metadata <KEY=VALUE>', 'metadata on the run, e.g. --metadata ticket=OPS-12 (repeatable)', collect)
    .addOption(new Option('--poll-interval-ms <ms>', 'how often --follow/--wait poll').default('1000').hideHelp())
    .addHelpText('after', EXAMPLES)
    .action(async (prompt: string | undefined, opts: Record<string, unknown>, cmd: Command) => {
      if (prompt === undefined && !opts['savedPrompt'] && !opts['skill']) {
        throw new UsageError("missing required argument 'prompt' (or start from --saved-prompt or --skill)");
      }
      const ctx = commandContext(cmd, io, state);
      state.exitCode = await startRun(ctx, {
        ...opts,
        prompt: prompt ?? (opts['savedPrompt'] || opts['skill'] ? SAVED_ONLY : prompt),
      });
    });
}

async function startRun(ctx: CommandContext, raw: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(RunFlagsSchema, raw, { prompt: '<prompt>', team: '--team' });
  const ci = parseFlags(CiFlagsSchema, raw, { ciUrl: '--ci-url', logFile: '--log-file' });
  const context = detectCiContext(ci, ci.ci ? (ctx.io.env.ciVars ?? {}) : {});
  const log = ci.logFile !== undefined ? readLogAttachment(ci.logFile) : undefined;
  const attachments: FileAttachment[] = [...(log ? [log.attachment] : []), ...ci.attach.map(readFileAttachment)];
  const metadata = { ...ciMetadata(context), ...parseMetadataPairs(ci.metadata) };
  const onGithub = context.provider === 'github-actions';
  const savedPrompt = savedPromptOf(raw);
  const userPrompt =
    (flags.prompt === SAVED_ONLY ? '' : flags.prompt) +
    ciPromptBlock(context, log && { fileName: log.attachment.file_name, bytes: log.bytes, truncated: log.truncated });
  const request: RunAgentRequest = {
    ...(userPrompt.trim() ? { prompt: userPrompt } : {}),
    ...(typeof raw['skill'] === 'string' ? { skill: raw['skill'] } : {}),
    source: onGithub ? 'GITHUB_ACTION' : 'CLI',
    ...(attachments.length > 0 ? { attachments } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    ...(flags.title ? { title: flags.title } : {}),
    ...(flags.team ? { team: true } : flags.personal ? { team: false } : {}),
  };
  const config: NonNullable<RunAgentRequest['config']> = {};
  if (flags.model) config.model_id = flags.model;
  if (flags.environment) config.environment_id = flags.environment;
  if (flags.name) config.name = flags.name;
  if (savedPrompt) config.saved_prompt = savedPrompt;
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
  if (ci.ci) return await runForCi(ctx, checked.data, { pollIntervalMs: flags.pollIntervalMs, onGithub });

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

/**
 * `--ci`: start, then wait with one plain line per state change (no transcript, no colours), and end with the
 * outcome and the link. Exit 0 only when the run succeeds. On GitHub Actions the outcome is also an annotation, and
 * run_id, state and run_url become step outputs (GITHUB_OUTPUT) and a line of the job summary.
 */
async function runForCi(
  ctx: CommandContext,
  request: RunAgentRequest,
  opts: { pollIntervalMs: number; onGithub: boolean },
): Promise<number> {
  const { client, out } = ctx;
  const vars = ctx.io.env.ciVars ?? {};
  const created = await client.runs.create(request);
  const runId = created.run_id;
  const first = await client.runs.get(runId).catch(() => undefined);
  const link = first?.session_link ?? `${client.apiRoot}/agent/runs/${encodeURIComponent(runId)}`;
  const structured = out.structured;
  if (structured) out.json({ type: 'run.created', run_id: runId, state: created.state, session_link: link });
  else out.line(`Run ${runId} started: ${link}`);
  if (opts.onGithub && vars['GITHUB_OUTPUT'])
    writeGithubOutputs(vars['GITHUB_OUTPUT'], { run_id: runId, run_url: link });

  let last: string = created.state;
  let final: RunItem;
  try {
    final = await followRun({
      client,
      runId,
      intervalMs: opts.pollIntervalMs,
      transcript: false,
      signal: ctx.io.signal,
      onState: (r) => {
        if (r.state === last || isTerminalState(r.state)) return;
        last = r.state;
        if (structured) out.json({ type: 'run.state', run_id: runId, state: r.state });
        else out.line(`Run ${runId}: ${r.state}${r.status_message?.message ? ` (${r.status_message.message})` : ''}`);
      },
      onEntry: () => undefined,
    });
  } catch (err) {
    if (!(err instanceof APIUserAbortError)) throw err;
    ctx.io.stderr.write(`Stopped waiting; run ${runId} goes on: ${link}\n`);
    return EXIT_INTERRUPTED;
  }
  const message = final.status_message?.message;
  const succeeded = final.state === 'SUCCEEDED';
  if (structured) {
    out.json({
      type: 'run.finished',
      run_id: runId,
      state: final.state,
      status_message: final.status_message,
      session_link: link,
    });
  } else {
    out.line(`Run ${runId} ${final.state}${message ? `: ${message.split('\n')[0]}` : ''}`);
    out.line(`View: ${link}`);
  }
  if (opts.onGithub) {
    const title = `Ambit run ${final.state}`;
    out.line(githubAnnotation(succeeded ? 'notice' : 'error', title, `${message ?? final.state} (${link})`));
    if (vars['GITHUB_OUTPUT']) writeGithubOutputs(vars['GITHUB_OUTPUT'], { state: final.state });
    if (vars['GITHUB_STEP_SUMMARY']) {
      appendGithubSummary(
        vars['GITHUB_STEP_SUMMARY'],
        `**Ambit run ${final.state}**: [${runId}](${link})${message ? ` — ${message.split('\n')[0]}` : ''}`,
      );
    }
  }
  return succeeded ? EXIT_OK : EXIT_FAILURE;
}
