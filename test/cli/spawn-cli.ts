import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'ambit.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI (`node bin/ambit.js ...`) in a child process with a clean environment: only what the test
 * passes in `env` reaches it, so a developer's own AMBIT_API_KEY never leaks into a test.
 */
export function runAmbit(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliResult> {
  return runCommand(process.execPath, [BIN, ...args], env, timeoutMs);
}

/** Like `runAmbit` for any command (e.g. `npm run ambit -- ...`). Async, so a server in the test process can answer. */
export function runCommand(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export const lines = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);
