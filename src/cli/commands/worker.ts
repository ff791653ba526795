import { spawn } from 'node:child_process';
import path from 'node:path';
import { type Command } from 'commander';
import { z } from 'zod';
import { type CliIO, type CliState } from '../context';
import { parseFlags } from '../flags';

const HostIdSchema = z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/, 'use letters, digits, ".", "_" or "-" (at most 64)');
const WorkerFlagsSchema = z.object({
  host: HostIdSchema,
  maxConcurrentRuns: z.coerce.number().int().min(1, 'is at least 1').max(1000).optional(),
  platform: z.boolean(),
});

const WORKER_ENTRY = path.resolve(__dirname, '../../../workers/main.ts');

/**
 * `ambit worker --host <id>`: a host worker in the foreground, serving `<prefix>-host-<id>`; runs whose
 * `config.worker_host` is that id execute their environment and tool calls here. A host worker needs only Temporal
 * (TEMPORAL_ADDRESS and its credentials) and, for container environments, a Docker engine: no database. With
 * `--platform` it also serves the platform queue, which does need DATABASE_URL.
 */
export function registerWorkerCommand(program: Command, io: CliIO, state: CliState): void {
  program
    .command('worker')
    .description('Run a host worker: executes the environments and tool calls of runs routed to this host.')
    .requiredOption('--host <id>', 'host id that runs select with config.worker_host')
    .option('--max-concurrent-runs <n>', 'runs this host executes at once; more wait QUEUED (default 20)')
    .option('--platform', 'also serve the platform queue (workflows, model calls)', false)
    .addHelpText(
      'after',
      `
Examples:
  $ ambit worker --host build-box-1
  $ TEMPORAL_ADDRESS=temporal.internal:7233 TEMPORAL_API_KEY=... ambit worker --host gpu-1 --max-concurrent-runs 2

Configuration (environment): TEMPORAL_* (address, namespace, TLS or API key), DOCKER_HOST, AMBIT_HOST_DEFAULT_IMAGE,
AMBIT_HOST_CPUS, AMBIT_HOST_MEMORY_MB, AMBIT_HOST_PIDS, AMBIT_HOST_NETWORK (defaults for container environments).`,
    )
    .action(async (opts: { host: string; maxConcurrentRuns?: string; platform: boolean }) => {
      const f = parseFlags(WorkerFlagsSchema, opts, { host: '--host', maxConcurrentRuns: '--max-concurrent-runs' });
      const env: NodeJS.ProcessEnv = {
        ...io.env.passthrough,
        AMBIT_HOST_ID: f.host,
        AMBIT_WORKER_PLATFORM: String(f.platform),
        ...(f.maxConcurrentRuns ? { AMBIT_HOST_MAX_RUNS: String(f.maxConcurrentRuns) } : {}),
      };
      // The IPC channel is how the worker learns that this wrapper is gone (it stops too, see workers/signals.ts).
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY], {
        env,
        stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      });
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      state.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    });
}
