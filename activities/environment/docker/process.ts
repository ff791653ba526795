/**
 * Processes started in a container with `docker exec`: attached stdio (demultiplexed), the process's pid inside the
 * container, and a kill that takes the whole process tree down. Docker has no API to kill an exec'd process, and
 * killing only the shell would leave what it started running, so the pid is learnt from a wrapper and the tree is
 * killed from a second exec.
 */
import { once } from 'node:events';
import { PassThrough, type Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import type { ExecResult } from '../provider';

const PID_MARKER = 'ambit-exec-pid:';
/** Prints the shell's pid on stderr, then replaces the shell with the command: the pid becomes the command's. */
const WRAPPER = `echo "${PID_MARKER}$$" >&2; exec "$@"`;

/**
 * Stops the process and, level by level, each descendant (a stopped process cannot fork), then kills them all.
 * POSIX sh and /proc only, so it works in any image with /bin/sh.
 */
const KILL_TREE = `
root=$1
kill -STOP "$root" 2>/dev/null || exit 0
all=$root
frontier=$root
while [ -n "$frontier" ]; do
  next=
  for s in /proc/[0-9]*/stat; do
    read -r line < "$s" 2>/dev/null || continue
    rest=\${line##*")"}
    set -- $rest
    for p in $frontier; do
      if [ "$2" = "$p" ]; then
        pid=\${s#/proc/}
        pid=\${pid%/stat}
        kill -STOP "$pid" 2>/dev/null
        next="$next $pid"
      fi
    done
  done
  all="$all $next"
  frontier=$next
done
kill -KILL $all 2>/dev/null
exit 0
`;

/** How long a killed process's stream may stay open (a daemonized grandchild holding it) before we drop it. */
const KILL_GRACE_MS = 5_000;

export interface ProcessSpec {
  argv: string[];
  /** User name or uid the process runs as. */
  user: string;
  /** Absolute working directory inside the container. */
  cwd?: string;
  env?: Record<string, string>;
}

function envList(env: Record<string, string> | undefined): string[] {
  return Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`);
}

/** A running `docker exec` with its stdio. stdout/stderr end when the process does. */
export class ContainerProcess {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  /** Resolves once the process has exited and its output has been read. */
  readonly ended: Promise<void>;
  private pidKnown!: (pid: number | undefined) => void;
  private readonly pid = new Promise<number | undefined>((resolve) => (this.pidKnown = resolve));
  private killing: Promise<void> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly containerName: string,
    private readonly exec: Docker.Exec,
    private readonly stream: Duplex,
  ) {
    const stderrIn = new PassThrough();
    docker.modem.demuxStream(stream, this.stdout, stderrIn);
    let head: Buffer | null = Buffer.alloc(0);
    stderrIn.on('data', (chunk: Buffer) => {
      if (head === null) {
        this.stderr.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) return;
      const first = head.subarray(0, nl).toString('utf8');
      const rest = head.subarray(nl + 1);
      head = null;
      if (first.startsWith(PID_MARKER)) {
        const pid = Number(first.slice(PID_MARKER.length));
        this.pidKnown(Number.isInteger(pid) && pid > 0 ? pid : undefined);
        if (rest.length > 0) this.stderr.write(rest);
      } else {
        // The wrapper never ran (e.g. the user does not exist): what Docker wrote is the error.
        this.pidKnown(undefined);
        this.stderr.write(Buffer.concat([Buffer.from(first + '\n'), rest]));
      }
    });
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      if (head !== null && head.length > 0) this.stderr.write(head);
      head = null;
      this.pidKnown(undefined);
      this.stdout.end();
      this.stderr.end();
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
    this.ended = Promise.all([once(this.stdout, 'end'), once(this.stderr, 'end')]).then(() => undefined);
    // Nobody may listen to a stream (the MCP transport ignores stderr): keep them flowing so the socket drains.
    this.stdout.resume();
    this.stderr.resume();
  }

  /** Writes to the process's stdin (only when started with stdin), resolving once the socket takes more. */
  async write(data: string | Buffer): Promise<void> {
    if (!this.stream.write(data)) await once(this.stream, 'drain');
  }

  /** Closes the process's stdin: it reads end of file. */
  endInput(data?: string | Buffer): void {
    if (data !== undefined) this.stream.end(data);
    else this.stream.end();
  }

  /** Kills the process and everything it started. Idempotent; resolves once the kill was delivered. */
  kill(): Promise<void> {
    this.killing ??= (async () => {
      const pid = await this.pid;
      if (pid !== undefined) {
        await runSimple(this.docker, this.containerName, {
          argv: ['/bin/sh', '-c', KILL_TREE, 'ambit-kill', String(pid)],
          user: '0',
        }).catch(() => undefined);
      }
      const grace = setTimeout(() => this.stream.destroy(), KILL_GRACE_MS);
      await this.ended;
      clearTimeout(grace);
    })();
    return this.killing;
  }

  /** Drops the connection without waiting for the process. */
  destroy(): void {
    this.stream.destroy();
  }

  /** The exit code once ended; null when Docker does not know it (the process was killed with the connection). */
  async exitCode(): Promise<number | null> {
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const info = await this.exec.inspect();
      if (!info.Running) return info.ExitCode ?? null;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return null;
  }
}

/** Starts `spec.argv` in the container through the pid wrapper. */
export async function startProcess(
  docker: Docker,
  containerName: string,
  spec: ProcessSpec,
  options: { stdin: boolean },
): Promise<ContainerProcess> {
  const exec = await docker.getContainer(containerName).exec({
    Cmd: ['/bin/sh', '-c', WRAPPER, 'ambit-exec', ...spec.argv],
    User: spec.user,
    ...(spec.cwd !== undefined ? { WorkingDir: spec.cwd } : {}),
    Env: envList(spec.env),
    AttachStdin: options.stdin,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = await exec.start({ hijack: true, stdin: options.stdin });
  return new ContainerProcess(docker, containerName, exec, stream);
}

/** Keeps the first `cap` bytes of a stream, remembering whether anything was dropped. */
export class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    const room = this.cap - this.size;
    if (room <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length < chunk.length) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
  toString(): string {
    return this.toBuffer().toString('utf8');
  }
}

export interface RunOptions extends ProcessSpec {
  stdin?: string | Buffer;
  timeoutMs?: number;
  outputCapBytes?: number;
  signal?: AbortSignal;
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunResult extends ExecResult {
  stdoutBuffer: Buffer;
}

/** Internal commands print little; a generous cap only protects memory. */
const DEFAULT_CAP_BYTES = 16 * 1024 * 1024;

/**
 * Runs a process to completion. On timeout or abort the process tree is killed and `exitCode` is null, as the
 * workspace provider reports a killed process.
 */
export async function runProcess(docker: Docker, containerName: string, options: RunOptions): Promise<RunResult> {
  const proc = await startProcess(docker, containerName, options, { stdin: options.stdin !== undefined });
  const cap = options.outputCapBytes ?? DEFAULT_CAP_BYTES;
  const stdout = new CappedBuffer(cap);
  const stderr = new CappedBuffer(cap);
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const forward = (stream: 'stdout' | 'stderr', buffer: CappedBuffer) => (chunk: Buffer) => {
    buffer.push(chunk);
    if (options.onOutput) {
      const text = decoders[stream].write(chunk);
      if (text) options.onOutput(text, stream);
    }
  };
  proc.stdout.on('data', forward('stdout', stdout));
  proc.stderr.on('data', forward('stderr', stderr));
  if (options.stdin !== undefined) proc.endInput(options.stdin);

  let timedOut = false;
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    void proc.kill();
  };
  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs)
      : undefined;
  options.signal?.addEventListener('abort', kill, { once: true });
  if (options.signal?.aborted) kill();
  try {
    await proc.ended;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', kill);
  }
  if (options.onOutput) {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = decoders[stream].end();
      if (rest) options.onOutput(rest, stream);
    }
  }
  return {
    exitCode: killed ? null : await proc.exitCode(),
    stdout: stdout.toString(),
    stderr: stderr.toString(),
    stdoutBuffer: stdout.toBuffer(),
    timedOut,
    truncated: stdout.truncated || stderr.truncated,
  };
}

/** A short internal command (bookkeeping, kills): no timeout beyond a safety net. */
export function runSimple(
  docker: Docker,
  containerName: string,
  options: Omit<RunOptions, 'timeoutMs'> & { timeoutMs?: number },
): Promise<RunResult> {
  return runProcess(docker, containerName, { timeoutMs: 60_000, ...options });
}
