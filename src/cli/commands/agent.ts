/**
 * `ambit agent run "<prompt>"`: a local run. The agent works on this machine, in the current directory (or --cwd),
 * while the platform creates, tracks and records the run like any other (execution_location LOCAL: listed, steerable,
 * cancellable). The CLI starts an ephemeral host worker for the run in this process (the same host worker code as
 * `ambit worker`, with the directory as its only environment), creates the run routed to that host, prints progress
 * until the run ends, stops the worker, and exits with the run's outcome. Temporal is the transport: the API says
 * where it is (GET /agent/connection); credentials come from the user's own TEMPORAL_* environment.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { APIUserAbortError, type RunItem } from '../../client';
import { isTerminalState, type RunAgentRequest } from '../../domain';
import { type CliIO, type CliState, type CommandContext, commandContext } from '../context';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, UsageError } from '../errors';
import { parseFlags } from '../flags';
import { followRun } from '../follow';
import { renderEntry } from '../transcript';
import type { LocalDirectoryProvider as LocalDirectoryProviderType } from '../../../activities/environment/local-directory-provider';
import type { buildHostActivityDeps as BuildHostActivityDeps } from '../../../workers/host-deps';
import type { startWorkers as StartWorkers } from '../../../workers/run-worker';
import type { installTemporalRuntime as InstallTemporalRuntime } from '../../../workers/runtime';
import type { loadConfig as LoadConfig } from '../../config';
import type { createLogger as CreateLogger } from '../../logger';
import type { connectTemporalWorker as ConnectTemporalWorker } from '../../temporal/connection';

const AgentRunFlagsSchema = z.object({
  prompt: z.string().trim().min(1, 'must not be empty, e.g. ambit agent run "Fix the failing test"'),
  cwd: z.string().min(1).optional(),
  share: z.enum(['team', 'personal'], { error: 'must be team or personal, e.g. --share team' }).optional(),
  model: z
    .string()
    .regex(/^[a-z0-9-]+\/.+$/, 'must look like <provider>/<model>, e.g. --model openai/gpt-4o')
    .optional(),
  name: z.string().min(1).optional(),
  title: z.string().min(1).optional(),
  pollIntervalMs: z.coerce.number().int().min(50).default(1000),
});

/* eslint-disable @typescript-eslint/no-require-imports -- loaded only when a local run starts: the worker SDK is heavy */
function load<T>(id: string): T {
  return require(id) as T;
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** An ephemeral host worker in this process, serving only this run's host queue, working in `directory`. */
async function startLocalHost(env: NodeJS.ProcessEnv, directory: string) {
  const { loadConfig } = load<{ loadConfig: typeof LoadConfig }>('../../config');
  const { createLogger } = load<{ createLogger: typeof CreateLogger }>('../../logger');
  const { connectTemporalWorker } = load<{ connectTemporalWorker: typeof ConnectTemporalWorker }>(
    '../../temporal/connection',
  );
  const { LocalDirectoryProvider } = load<{ LocalDirectoryProvider: typeof LocalDirectoryProviderType }>(
    '../../../activities/environment/local-directory-provider',
  );
  const { buildHostActivityDeps } = load<{ buildHostActivityDeps: typeof BuildHostActivityDeps }>(
    '../../../workers/host-deps',
  );
  const { startWorkers } = load<{ startWorkers: typeof StartWorkers }>('../../../workers/run-worker');
  const { installTemporalRuntime } = load<{ installTemporalRuntime: typeof InstallTemporalRuntime }>(
    '../../../workers/runtime',
  );
  const config = loadConfig(env);
  // Logs go to stderr so stdout stays the run's progress (or ndjson).
  const logger = createLogger(config, 'ambit-local-host', process.stderr);
  installTemporalRuntime(logger, config.logLevel);
  const deps = {
    ...buildHostActivityDeps(config, logger, undefined),
    environments: new LocalDirectoryProvider(directory),
  };
  const connection = await connectTemporalWorker(config);
  const workers = await startWorkers({
    config,
    connection,
    deps,
    platform: false,
    hostId: config.worker.hostId,
    reportHost: false,
  });
  return {
    async stop() {
      await workers.shutdown().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}

export function registerAgentCommands(program: Command, io: CliIO, state: CliState): void {
  const agent = program.command('agent').description('Run the agent on this machine, tracked by the platform.');

  agent
    .command('skills')
    .description('List the skills (SKILL.md) in your environments’ repositories; run one with `ambit run --skill`.')
    .option('--repo <owner/repo>', 'only this repository')
    .option('--refresh', 'read the repositories again')
    .action(async (opts: { repo?: string; refresh?: boolean }, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const { agents } = await ctx.client.agent.skills({
        ...(opts.repo ? { repo: opts.repo } : {}),
        ...(opts.refresh ? { refresh: true } : {}),
      });
      const { out } = ctx;
      if (out.format === 'json') return out.json({ agents });
      const rows = agents.flatMap((a) => a.variants.map((v) => ({ name: a.name, ...v })));
      if (out.format === 'ndjson') {
        for (const r of rows) out.json(r);
        return;
      }
      if (rows.length === 0 && out.format === 'pretty') {
        return out.line(out.paint('dim', 'No skills found in the repositories of your environments.'));
      }
      out.table(
        ['NAME', 'SKILL', 'DESCRIPTION', 'ENVIRONMENTS'],
        rows.map((r) => [r.name, r.id, r.description, r.environments.map((e) => e.name).join(', ')]),
      );
    });

  agent
    .command('run')
    .description(
      'Run the agent here, in the current directory (or --cwd), as a platform run (LOCAL): listed, steerable and ' +
        'cancellable like any other. Prints progress; exits 0 when the run succeeds, 1 otherwise.',
    )
    .argument('<prompt>', 'what the agent should do')
    .option('--cwd <dir>', 'directory the agent works in (default: the current directory)')
    .option('--share <who>', 'team (the team sees the run) or personal (you and admins; the default)')
    .option('-m, --model <model_id>', 'model as <provider>/<model> (default: the team default)')
    .option('--name <name>', 'config name, to group and filter runs')
    .option('--title <title>', 'title of the run')
    .addOption(new Option('--poll-interval-ms <ms>', 'how often progress is polled').default('1000').hideHelp())
    .addHelpText(
      'after',
      `
Examples:
  $ ambit agent run "Fix the failing test in src/auth"
  $ ambit agent run "Update the changelog" --cwd ../web --share team -o ndjson

Needs TEMPORAL_* credentials when the platform's Temporal requires them (TLS or TEMPORAL_API_KEY); the address,
namespace and task-queue prefix come from the API.`,
    )
    .action(async (prompt: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      state.exitCode = await runLocal(ctx, { ...opts, prompt });
    });
}

async function runLocal(ctx: CommandContext, raw: Record<string, unknown>): Promise<number> {
  const flags = parseFlags(AgentRunFlagsSchema, raw, { pollIntervalMs: '--poll-interval-ms' });
  const directory = path.resolve(flags.cwd ?? process.cwd());
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    throw new UsageError(`--cwd ${directory} is not a directory`);
  }
  const { client, out } = ctx;
  const connection = await client.agent.connection();
  const hostId = `${connection.local_host_prefix}${randomBytes(8).toString('hex')}`;
  const passthrough = ctx.io.env.passthrough;
  if (connection.temporal.payload_encryption && !passthrough['AMBIT_TEMPORAL_PAYLOAD_KEY']) {
    throw new UsageError(
      "the platform encrypts Temporal payloads: set AMBIT_TEMPORAL_PAYLOAD_KEY to the platform's key to run locally",
    );
  }
  if (
    connection.temporal.credentials_required &&
    !passthrough['TEMPORAL_API_KEY'] &&
    !passthrough['TEMPORAL_TLS_CLIENT_CERT_PATH']
  ) {
    ctx.io.stderr.write(
      "Note: the platform's Temporal expects credentials; set TEMPORAL_API_KEY or TEMPORAL_TLS_* if the connection fails.\n",
    );
  }
  const host = await startLocalHost(
    {
      ...passthrough,
      TEMPORAL_ADDRESS: passthrough['TEMPORAL_ADDRESS'] || connection.temporal.address,
      TEMPORAL_NAMESPACE: connection.temporal.namespace,
      AMBIT_TASK_QUEUE_PREFIX: connection.temporal.task_queue_prefix,
      AMBIT_HOST_ID: hostId,
      AMBIT_HOST_MAX_RUNS: '1',
      AMBIT_WORKER_PLATFORM: 'false',
      AMBIT_DOCKER: 'off',
      LOG_LEVEL: passthrough['LOG_LEVEL'] || 'warn',
    },
    directory,
  );
  try {
    const request: RunAgentRequest = {
      prompt: flags.prompt,
      source: 'CLI',
      team: flags.share === 'team',
      ...(flags.title ? { title: flags.title } : {}),
      config: {
        worker_host: hostId,
        ...(flags.model ? { model_id: flags.model } : {}),
        ...(flags.name ? { name: flags.name } : {}),
      },
    };
    const created = await client.runs.create(request);
    if (out.format === 'ndjson') {
      out.json({ type: 'run.created', run_id: created.run_id, execution_location: 'LOCAL', directory });
    } else if (out.format === 'text') {
      out.line(created.run_id);
    } else if (out.format === 'pretty') {
      out.line(`${out.paint('green', '✓')} Local run ${out.paint('bold', created.run_id)} in ${directory}`);
    }
    let final: RunItem;
    try {
      final = await followRun({
        client,
        runId: created.run_id,
        intervalMs: flags.pollIntervalMs,
        transcript: out.format !== 'json',
        signal: ctx.io.signal,
        onState: (r) => {
          if (isTerminalState(r.state)) return;
          if (out.format === 'ndjson') out.json({ type: 'run.state', run_id: r.run_id, state: r.state });
          else if (out.format === 'text') out.line(`state: ${r.state}`);
          else if (out.format === 'pretty') out.line(`${out.paint('dim', '●')} ${out.state(r.state)}`);
        },
        onEntry: (entry) => {
          if (out.format === 'ndjson') {
            const { key: _key, ...event } = entry;
            out.json(event);
          } else if (out.format !== 'json') {
            const text = renderEntry(entry, out, { full: false });
            if (text !== undefined) out.line(text);
          }
        },
      });
    } catch (err) {
      if (!(err instanceof APIUserAbortError)) throw err;
      // Ctrl-C: the work happens here, so stopping the worker would strand the run; cancel it instead.
      ctx.io.stderr.write(`Cancelling local run ${created.run_id}…\n`);
      await client.runs.cancel(created.run_id).catch(() => undefined);
      return EXIT_INTERRUPTED;
    }
    if (out.structured) {
      out.json(out.format === 'ndjson' ? { type: 'run.ended', run_id: final.run_id, state: final.state } : final);
    } else {
      const note = final.status_message?.message ? ` ${final.status_message.message}` : '';
      out.line(out.format === 'text' ? `state: ${final.state}` : `${out.state(final.state)}${note}`);
    }
    return final.state === 'SUCCEEDED' ? EXIT_OK : EXIT_FAILURE;
  } finally {
    await host.stop();
  }
}
