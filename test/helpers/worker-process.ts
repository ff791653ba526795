import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGKILL to the whole process group (a wrapper like `ambit worker` and its worker): like a crashed machine. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `workers/main.ts` as its own OS process (one process: tsx is loaded in-process, not as a wrapper), or the
 * command line `argv` (e.g. `bin/ambit.js worker --host h`) when given.
 */
export async function startWorkerProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
  argv: string[] = ['--import', 'tsx', path.join(ROOT, 'workers/main.ts')],
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so kill() takes down a wrapper's children too and nothing outlives the test.
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      if (out.includes('"msg":"worker started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    async kill() {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is already gone.
        }
      }
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
