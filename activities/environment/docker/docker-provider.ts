import os from 'node:os';
import path from 'node:path';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type Docker from 'dockerode';
import type { EnvironmentRef } from '../../../workflows/definitions';
import {
  EnvironmentPathError,
  EnvironmentSetupError,
  EnvironmentSpecSchema,
  type EnvironmentHandle,
  type EnvironmentProvider,
  type EnvironmentSpec,
  type ExecOptions,
  type ExecResult,
  type FileEntry,
  type PrepareEnvironmentInput,
} from '../provider';
import { registryHostOf } from '../../../src/domain/registry';
import { ensureImage } from './image';
import { DockerExecTransport } from './mcp-transport';
import { containerName, isNotFound, managedLabels, STATE_DIR, statusCodeOf, volumeName, WORKSPACE_DIR } from './names';
import { LineEmitter, tailOf, TailBuffer } from './output';
import { runProcess, runSimple } from './process';
import {
  cloneInContainer,
  cloneOnHost,
  isHttpRepository,
  isLocalRepository,
  repositoryFolder,
  resolveRemoteCommit,
} from './repositories';
import {
  commitSnapshot,
  DEFAULT_SNAPSHOT_MAX_BYTES,
  DEFAULT_SNAPSHOT_TTL_MS,
  evictSnapshots,
  findSnapshot,
  LABEL_SNAPSHOT_KEY,
  snapshotImage,
  snapshotKey,
  SnapshotOptionsSchema,
  type SnapshotOptions,
  type SnapshotRef,
} from './snapshots';

export interface DockerProviderOptions {
  docker: Docker;
  /** The host's default environment, used when a run names none. */
  defaultSpec?: EnvironmentSpec;
  /**
   * Accept `file://` repositories, cloned from the worker's disk. Off by default: a run could otherwise copy any
   * repository the worker can read into its container.
   */
  allowLocalRepositories?: boolean;
  /** Limit of one setup command (default 30 minutes) and of one clone (default 10 minutes). */
  setupCommandTimeoutMs?: number;
  cloneTimeoutMs?: number;
  /** Where host-side clones are staged (default: the OS temp folder). */
  tmpDir?: string;
  /**
   * Warm starts (off when absent): after setup succeeds the container is committed as a snapshot, and a later run
   * of the same environment starts from it without cloning or setup. Snapshots older than `ttlMs` (default 7 days)
   * and the oldest beyond `maxBytes` in all (default 10 GiB) are evicted after each commit.
   */
  snapshots?: SnapshotOptions;
  /** The host's limits and network for environments that set none (AMBIT_HOST_CPUS, _MEMORY_MB, _PIDS, _NETWORK). */
  hostDefaults?: {
    limits?: EnvironmentSpec['limits'];
    network?: string;
    /** Pull credentials by registry host, used when the spec brings none (AMBIT_REGISTRY_AUTH). */
    registryAuth?: Record<string, NonNullable<EnvironmentSpec['registryAuth']>>;
  };
}

/** Who the run's commands run as, resolved once per container and kept in it. */
interface RunUser {
  user: string;
  home: string;
}

const SETUP_PROGRESS_LINES = 400;
const MAX_READ_BYTES = 64 * 1024 * 1024;
const LIST_OUTPUT_CAP = 16 * 1024 * 1024;
const DEFAULT_SETUP_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_CLONE_TIMEOUT_MS = 10 * 60_000;
/** The container's main process: a shell sleeping forever (tini, via Init, reaps what the run leaves behind). */
const KEEPALIVE = 'trap "exit 0" TERM; while :; do sleep 3600 & wait $!; done';

/**
 * Picks the run's user (the one asked for, else `ambit`, else `nobody`, else root), gives it the workspace and a
 * writable home (the image's, else one under the state folder), and records both for later attaches.
 */
const RESOLVE_USER = `
want=$1
exists() { case "$1" in *[!0-9]*) id -u "$1" >/dev/null 2>&1 ;; *) return 0 ;; esac; }
if [ -n "$want" ]; then
  exists "$want" || { echo "user $want does not exist in the image" >&2; exit 3; }
  user=$want
else
  user=root
  for u in ambit nobody; do if exists "$u"; then user=$u; break; fi; done
fi
home=
if [ -r /etc/passwd ]; then
  while IFS=: read -r n _ _ _ _ h _; do if [ "$n" = "$user" ]; then home=$h; break; fi; done < /etc/passwd
fi
mkdir -p ${STATE_DIR}/done
if [ "$user" != root ] && [ "$user" != 0 ]; then
  uid=$(id -u "$user" 2>/dev/null || echo "$user")
  if [ -z "$home" ] || [ ! -d "$home" ] || [ "$(stat -c %u "$home" 2>/dev/null)" != "$uid" ]; then
    home=${STATE_DIR}/home
    mkdir -p "$home"
    chown "$user" "$home"
  fi
  chown "$user" ${WORKSPACE_DIR}
fi
[ -n "$home" ] || home=/root
printf '%s\\n%s\\n' "$user" "$home" > ${STATE_DIR}/user
printf '%s\\n%s\\n' "$user" "$home"
`;

const READ_STATE = `cat ${STATE_DIR}/user 2>/dev/null; echo "--"; ls ${STATE_DIR}/done 2>/dev/null; exit 0`;

/**
 * \`docker commit\` leaves volumes out, so the workspace is copied into the container's own file system before the
 * commit (ownership and modes kept) and restored from there into the fresh volume of a warm container.
 */
const SNAPSHOT_WORKSPACE = `${STATE_DIR}/snapshot/workspace`;
const STAGE_WORKSPACE = `rm -rf ${STATE_DIR}/snapshot && mkdir -p ${STATE_DIR}/snapshot && cp -a ${WORKSPACE_DIR} ${SNAPSHOT_WORKSPACE}`;
const UNSTAGE_WORKSPACE = `rm -rf ${STATE_DIR}/snapshot`;
const RESTORE_WORKSPACE = `
set -e
[ -e ${STATE_DIR}/done/restored ] && exit 0
cp -a ${SNAPSHOT_WORKSPACE}/. ${WORKSPACE_DIR}/
chown "$(stat -c %u:%g ${SNAPSHOT_WORKSPACE})" ${WORKSPACE_DIR}
chmod "$(stat -c %a ${SNAPSHOT_WORKSPACE})" ${WORKSPACE_DIR}
: > ${STATE_DIR}/done/restored
`;
/** Per clone, the commit it checked out (\`commit-<i>\`), for the snapshot key. */
const READ_COMMITS = `for f in "$@"; do printf '%s ' "$(cat ${STATE_DIR}/commits/$f 2>/dev/null)"; done; echo`;
/** A finished snapshot is recorded as a step named after its key, so a retried prepare reports it again. */
const SNAPSHOT_STEP = 'snapshot-';

/** Exit codes of the file scripts below, turned into the errno codes the built-in tools understand. */
const FILE_ERRORS: Record<number, string> = { 90: 'ENOENT', 91: 'EISDIR', 92: 'ENOTDIR' };
const READ_FILE = `[ -e "$1" ] || exit 90; [ -d "$1" ] && exit 91; exec cat -- "$1"`;
/** The nearest existing ancestor must be a folder, as for `mkdir -p`; a file in the way is ENOTDIR. */
const WRITE_FILE = `
[ -d "$1" ] && exit 91
d=\${1%/*}
p=$d
while [ -n "$p" ] && [ ! -e "$p" ]; do p=\${p%/*}; done
[ -z "$p" ] || [ -d "$p" ] || exit 92
[ -d "$d" ] || mkdir -p -- "$d" || exit 1
cat > "$1"
`;
const STAT_FORMAT = '%F|%s|%n';
const LIST_FILES = `
[ -e "$1" ] || exit 90
[ -d "$1" ] || exit 92
if [ "$2" = 1 ]; then
  find "$1" -mindepth 1 \\( -name .git -o -name node_modules \\) -type d -prune -exec stat -c '${STAT_FORMAT}' {} + \\
    -o -exec stat -c '${STAT_FORMAT}' {} +
else
  find "$1" -mindepth 1 -maxdepth 1 -exec stat -c '${STAT_FORMAT}' {} +
fi
exit 0
`;

function fileError(operation: string, relativePath: string, exitCode: number | null, stderr: string): Error {
  const code =
    (exitCode !== null ? FILE_ERRORS[exitCode] : undefined) ??
    (/permission denied/i.test(stderr)
      ? 'EACCES'
      : /not a directory/i.test(stderr)
        ? 'ENOTDIR'
        : /is a directory/i.test(stderr)
          ? 'EISDIR'
          : /no such file/i.test(stderr)
            ? 'ENOENT'
            : undefined);
  const detail = stderr.trim() || (code ?? `exit code ${exitCode}`);
  return Object.assign(new Error(`${operation} ${relativePath}: ${detail}`), code ? { code } : {});
}

/** Rejects what this provider cannot do with a spec before anything is created. */
function checkSpec(spec: EnvironmentSpec, allowLocal: boolean): void {
  const folders = new Set<string>();
  for (const repo of spec.repositories ?? []) {
    if (isLocalRepository(repo.url) && !allowLocal) {
      throw new EnvironmentSetupError(
        `git clone ${repo.url}`,
        null,
        '',
        'file:// repositories are not allowed on this host; give an https or ssh URL',
      );
    }
    if (repo.token && !isHttpRepository(repo.url)) {
      throw new EnvironmentSetupError(
        `git clone ${repo.url}`,
        null,
        '',
        'a token works with https:// repository URLs only; use an https URL or drop the token',
      );
    }
    const folder = repositoryFolder(repo);
    if (folders.has(folder)) {
      throw new EnvironmentSetupError(
        `git clone ${repo.url}`,
        null,
        '',
        `two repositories would be cloned into ${folder}; give one of them a different "path"`,
      );
    }
    folders.add(folder);
  }
}

/**
 * One container per run on a Docker engine, named after the run id so every step is idempotent: a retried prepare
 * finds the container and resumes after the last finished step (each clone and setup command is recorded inside the
 * container when it succeeds). The run's workspace is a named volume at /workspace; the agent's commands run as a
 * non-root user where the image has one. The Docker socket is never mounted.
 */
/**
 * The spec a snapshot is keyed by: the run's secrets count as part of the environment, so a snapshot whose setup saw
 * one set of secrets (and may have written them to disk) is never reused by a run with other secrets, e.g. another
 * user's personal ones, and a changed secret starts cold. The key is a SHA-256 over everything; values are not stored.
 */
function snapshotSpec(spec: EnvironmentSpec, secrets: Record<string, string> | undefined): EnvironmentSpec {
  if (!secrets || Object.keys(secrets).length === 0) return spec;
  const keyed: Record<string, string> = { ...spec.env };
  for (const [name, value] of Object.entries(secrets)) keyed[`secret:${name}`] = value;
  return { ...spec, env: keyed };
}

export class DockerProvider implements EnvironmentProvider {
  readonly name = 'docker';
  private readonly docker: Docker;
  private readonly users = new Map<string, RunUser>();

  private readonly snapshots?: { ttlMs: number; maxBytes: number };

  constructor(private readonly options: DockerProviderOptions) {
    this.docker = options.docker;
    if (options.snapshots) {
      const parsed = SnapshotOptionsSchema.safeParse(options.snapshots);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
      this.snapshots = {
        ttlMs: parsed.data.ttlMs ?? DEFAULT_SNAPSHOT_TTL_MS,
        maxBytes: parsed.data.maxBytes ?? DEFAULT_SNAPSHOT_MAX_BYTES,
      };
    }
  }

  private handleFor(runId: string, snapshot?: SnapshotRef): EnvironmentHandle {
    return { provider: this.name, id: runId, workdir: WORKSPACE_DIR, ...(snapshot ? { snapshot } : {}) };
  }

  /** Resolves a path the agent gave, refusing anything outside the workspace (including through `..`). */
  resolveInside(handle: EnvironmentHandle, relativePath: string): string {
    const target = path.posix.resolve(handle.workdir, relativePath);
    if (target !== handle.workdir && !target.startsWith(handle.workdir + '/')) {
      throw new EnvironmentPathError(`path ${relativePath} is outside the workspace`);
    }
    return target;
  }

  async prepare(input: PrepareEnvironmentInput): Promise<EnvironmentHandle> {
    const raw = input.spec ?? this.options.defaultSpec;
    if (!raw) {
      throw new Error(
        'the Docker provider needs an environment: the run names none and this host has no default environment',
      );
    }
    const parsed = EnvironmentSpecSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`).join('; ');
      throw new EnvironmentSetupError('validate environment', null, issues, 'the environment is invalid');
    }
    const defaults = this.options.hostDefaults;
    const spec: EnvironmentSpec = {
      ...parsed.data,
      ...(defaults?.limits || parsed.data.limits ? { limits: { ...defaults?.limits, ...parsed.data.limits } } : {}),
      ...((parsed.data.network ?? defaults?.network) ? { network: parsed.data.network ?? defaults?.network } : {}),
    };
    const hostAuth = defaults?.registryAuth?.[registryHostOf(spec.image)];
    if (!spec.registryAuth && hostAuth) spec.registryAuth = hostAuth;
    checkSpec(spec, this.options.allowLocalRepositories ?? false);
    const incomplete = (): EnvironmentHandle => ({ ...this.handleFor(input.runId), incomplete: true });
    const progress = (message: string) => input.onProgress?.(message);
    const signal = input.signal;
    const name = containerName(input.runId);

    let info = await this.inspect(name);
    if (!info) {
      await ensureImage(this.docker, spec.image, { auth: spec.registryAuth, onProgress: progress, signal });
      signal?.throwIfAborted();
      const warm = this.snapshots ? await this.findWarmStart(snapshotSpec(spec, input.env), progress, signal) : null;
      signal?.throwIfAborted();
      if (warm) info = await this.createWarm(input.runId, spec, warm, progress);
      if (warm && info) {
        progress(`created container ${name} from snapshot ${snapshotImage(warm)}: cloning and setup skipped`);
      } else {
        info = await this.create(input.runId, spec);
        progress(`created container ${name} from ${spec.image}`);
        if (input.stepwise) {
          await this.start(name);
          return incomplete();
        }
      }
    } else if (!input.stepwise) {
      progress(`found container ${name}; resuming its setup`);
    }
    if (!info.State.Running) await this.start(name);

    // A warm container: everything setup made is in its image, the workspace in the staged copy.
    const warmKey = info.Config.Labels?.[LABEL_SNAPSHOT_KEY];
    if (warmKey) {
      await this.restoreWorkspace(name);
      const restored = await this.readState(name);
      if (!restored.user) throw new Error(`snapshot ${snapshotImage(warmKey)} has no run user recorded`);
      this.users.set(name, restored.user);
      progress('environment ready');
      return this.handleFor(input.runId, { key: warmKey, image: snapshotImage(warmKey), reused: true });
    }

    const state = await this.readState(name);
    if (state.done.has('ready')) {
      const done = [...state.done].find((s) => s.startsWith(SNAPSHOT_STEP));
      if (done) {
        const key = done.slice(SNAPSHOT_STEP.length);
        return this.handleFor(input.runId, { key, image: snapshotImage(key), reused: false });
      }
      // Interrupted between setup and its snapshot: take it now.
      const snapshot = this.snapshots
        ? await this.takeSnapshot(name, snapshotSpec(spec, input.env), progress)
        : undefined;
      return this.handleFor(input.runId, snapshot);
    }
    const user = state.user ?? (await this.resolveUser(name, spec.user));
    this.users.set(name, user);

    const hasGit = await this.hasGit(name, spec);
    for (const [i, repo] of (spec.repositories ?? []).entries()) {
      const step = `clone-${i}`;
      if (state.done.has(step)) continue;
      signal?.throwIfAborted();
      const target = path.posix.join(WORKSPACE_DIR, repositoryFolder(repo));
      const cloneTarget = {
        docker: this.docker,
        container: name,
        target,
        user: user.user,
        home: user.home,
        timeoutMs: this.options.cloneTimeoutMs ?? DEFAULT_CLONE_TIMEOUT_MS,
        signal,
      };
      let commit: string;
      if (hasGit && !isLocalRepository(repo.url)) {
        progress(`cloning ${repo.url} into ${target}`);
        commit = await cloneInContainer(repo, cloneTarget);
      } else {
        progress(`cloning ${repo.url} into ${target} (on the host: the image has no git or no network)`);
        commit = await cloneOnHost(repo, {
          ...cloneTarget,
          tmpDir: this.options.tmpDir ?? os.tmpdir(),
          allowLocal: this.options.allowLocalRepositories ?? false,
        });
      }
      await this.recordCommit(name, step, commit);
      await this.markDone(name, step);
      if (input.stepwise) return incomplete();
    }

    for (const [i, command] of (spec.setupCommands ?? []).entries()) {
      const step = `setup-${i}`;
      if (state.done.has(step)) continue;
      signal?.throwIfAborted();
      await this.runSetupCommand(name, user, command, progress, signal, input.env);
      await this.markDone(name, step);
      if (input.stepwise && i < (spec.setupCommands ?? []).length - 1) return incomplete();
    }
    await this.markDone(name, 'ready');
    progress('environment ready');
    const snapshot = this.snapshots
      ? await this.takeSnapshot(name, snapshotSpec(spec, input.env), progress)
      : undefined;
    return this.handleFor(input.runId, snapshot);
  }

  /** The parts of the snapshot key every spec has, given the commit of each repository. */
  private async keyOf(spec: EnvironmentSpec, commits: string[]): Promise<string> {
    const image = await this.docker.getImage(spec.image).inspect();
    return snapshotKey({
      imageId: image.Id,
      repositories: (spec.repositories ?? []).map((repo, i) => ({
        url: repo.url,
        folder: repositoryFolder(repo),
        commit: commits[i] ?? '',
      })),
      setupCommands: spec.setupCommands ?? [],
      env: spec.env ?? {},
      ...(spec.user ? { user: spec.user } : {}),
    });
  }

  /**
   * The key a run of this spec would end with, computed before cloning (each ref resolved with `git ls-remote`),
   * when a snapshot with it exists. Null means a cold start.
   */
  private async findWarmStart(
    spec: EnvironmentSpec,
    progress: (message: string) => void,
    signal: AbortSignal | undefined,
  ): Promise<string | null> {
    const commits: string[] = [];
    for (const repo of spec.repositories ?? []) {
      const commit = await resolveRemoteCommit(repo, {
        tmpDir: this.options.tmpDir ?? os.tmpdir(),
        allowLocal: this.options.allowLocalRepositories ?? false,
        timeoutMs: this.options.cloneTimeoutMs ?? DEFAULT_CLONE_TIMEOUT_MS,
        signal,
      });
      if (!commit) {
        progress(
          `no warm start: the commit of ${repo.url}${repo.ref ? ` at ${repo.ref}` : ''} is unknown before cloning`,
        );
        return null;
      }
      commits.push(commit);
    }
    const key = await this.keyOf(spec, commits);
    return (await findSnapshot(this.docker, key)) ? key : null;
  }

  /**
   * Commits the prepared container as the snapshot of its key, then evicts. A failure here never fails the run: the
   * environment is ready, and the next run simply starts cold.
   */
  private async takeSnapshot(
    name: string,
    spec: EnvironmentSpec,
    progress: (message: string) => void,
  ): Promise<SnapshotRef | undefined> {
    const limits = this.snapshots;
    if (!limits) return undefined;
    try {
      const steps = (spec.repositories ?? []).map((_, i) => `clone-${i}`);
      const read = await runSimple(this.docker, name, {
        argv: ['/bin/sh', '-c', READ_COMMITS, 'ambit-commits', ...steps],
        user: '0',
      });
      const commits = read.stdout.trim() === '' ? [] : read.stdout.trim().split(/\s+/);
      if (read.exitCode !== 0 || commits.length !== steps.length) {
        progress('no snapshot: the commits the repositories were cloned at are not recorded');
        return undefined;
      }
      const key = await this.keyOf(spec, commits);
      let image = await findSnapshot(this.docker, key);
      if (!image) {
        const staged = await runSimple(this.docker, name, { argv: ['/bin/sh', '-c', STAGE_WORKSPACE], user: '0' });
        if (staged.exitCode !== 0) throw new Error(`copying the workspace aside failed: ${staged.stderr}`);
        try {
          image = await commitSnapshot(this.docker, name, key);
        } finally {
          await runSimple(this.docker, name, { argv: ['/bin/sh', '-c', UNSTAGE_WORKSPACE], user: '0' });
        }
        progress(`saved snapshot ${image}`);
        const evicted = await evictSnapshots(this.docker, { ...limits, keep: key });
        if (evicted.length > 0) progress(`evicted ${evicted.length} old snapshot(s)`);
      }
      await this.markDone(name, `${SNAPSHOT_STEP}${key}`);
      return { key, image, reused: false };
    } catch (err) {
      progress(`no snapshot: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Null when the snapshot was evicted (by another worker) between finding it and creating the container. */
  private async createWarm(
    runId: string,
    spec: EnvironmentSpec,
    key: string,
    progress: (message: string) => void,
  ): Promise<Docker.ContainerInspectInfo | null> {
    try {
      return await this.create(runId, spec, key);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      progress(`snapshot ${snapshotImage(key)} is gone; starting cold`);
      return null;
    }
  }

  private async restoreWorkspace(name: string): Promise<void> {
    const r = await runSimple(this.docker, name, { argv: ['/bin/sh', '-c', RESTORE_WORKSPACE], user: '0' });
    if (r.exitCode !== 0) throw new Error(`restoring the workspace from the snapshot in ${name} failed: ${r.stderr}`);
  }

  private async recordCommit(name: string, step: string, commit: string): Promise<void> {
    const r = await runSimple(this.docker, name, {
      argv: [
        '/bin/sh',
        '-c',
        `mkdir -p ${STATE_DIR}/commits && printf %s "$2" > "${STATE_DIR}/commits/$1"`,
        'ambit-commit',
        step,
        commit,
      ],
      user: '0',
    });
    if (r.exitCode !== 0) throw new Error(`could not record the commit of ${step} in ${name}: ${r.stderr}`);
  }

  private async inspect(name: string): Promise<Docker.ContainerInspectInfo | null> {
    try {
      return await this.docker.getContainer(name).inspect();
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** From the spec's image, or from the snapshot of `warmKey`. */
  private async create(runId: string, spec: EnvironmentSpec, warmKey?: string): Promise<Docker.ContainerInspectInfo> {
    const name = containerName(runId);
    const labels = managedLabels(runId);
    await this.docker.createVolume({ Name: volumeName(runId), Labels: labels });
    const limits = spec.limits ?? {};
    const memory = limits.memoryMb !== undefined ? limits.memoryMb * 1024 * 1024 : undefined;
    try {
      await this.docker.createContainer({
        name,
        Image: warmKey ? snapshotImage(warmKey) : spec.image,
        Entrypoint: ['/bin/sh', '-c'],
        Cmd: [KEEPALIVE],
        WorkingDir: WORKSPACE_DIR,
        Env: [`AMBIT_WORKSPACE=${WORKSPACE_DIR}`, ...Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`)],
        Labels: warmKey ? { ...labels, [LABEL_SNAPSHOT_KEY]: warmKey } : labels,
        Tty: false,
        OpenStdin: false,
        HostConfig: {
          Init: true,
          Mounts: [{ Type: 'volume', Source: volumeName(runId), Target: WORKSPACE_DIR }],
          NetworkMode: spec.network ?? 'bridge',
          ...(limits.cpus !== undefined ? { NanoCpus: Math.round(limits.cpus * 1e9) } : {}),
          // Swap equal to memory: the limit is the limit, not a hint to start swapping.
          ...(memory !== undefined ? { Memory: memory, MemorySwap: memory } : {}),
          ...(limits.pids !== undefined ? { PidsLimit: limits.pids } : {}),
        },
      });
    } catch (err) {
      // Another attempt of this activity created it first: use that one, never a second container.
      if (statusCodeOf(err) !== 409) throw err;
    }
    const info = await this.inspect(name);
    if (!info) throw new Error(`container ${name} vanished right after it was created`);
    return info;
  }

  private async start(name: string): Promise<void> {
    try {
      await this.docker.getContainer(name).start();
    } catch (err) {
      if (statusCodeOf(err) !== 304) throw err; // 304: already running
    }
  }

  private async readState(name: string): Promise<{ user?: RunUser; done: Set<string> }> {
    const r = await runSimple(this.docker, name, { argv: ['/bin/sh', '-c', READ_STATE], user: '0' });
    if (r.exitCode !== 0) throw new Error(`could not read the state of ${name}: ${r.stderr || r.stdout}`);
    const [userPart = '', donePart = ''] = r.stdout.split('--\n');
    const [user, home] = userPart.split('\n');
    const done = new Set(donePart.split('\n').filter(Boolean));
    return { ...(user && home ? { user: { user, home } } : {}), done };
  }

  private async resolveUser(name: string, wanted: string | undefined): Promise<RunUser> {
    const r = await runSimple(this.docker, name, {
      argv: ['/bin/sh', '-c', RESOLVE_USER, 'ambit-user', wanted ?? ''],
      user: '0',
    });
    if (r.exitCode === 3) throw new EnvironmentSetupError(`use user ${wanted}`, 3, r.stderr.trim(), 'no such user');
    const [user, home] = r.stdout.split('\n');
    if (r.exitCode !== 0 || !user || !home) throw new Error(`could not pick the run's user in ${name}: ${r.stderr}`);
    return { user, home };
  }

  private async userOf(name: string): Promise<RunUser> {
    const cached = this.users.get(name);
    if (cached) return cached;
    const state = await this.readState(name);
    if (!state.user) throw new Error(`container ${name} was never prepared (no user recorded)`);
    this.users.set(name, state.user);
    return state.user;
  }

  private async hasGit(name: string, spec: EnvironmentSpec): Promise<boolean> {
    if (spec.network === 'none' || (spec.repositories ?? []).length === 0) return false;
    const r = await runSimple(this.docker, name, { argv: ['/bin/sh', '-c', 'command -v git'], user: '0' });
    return r.exitCode === 0;
  }

  private async markDone(name: string, step: string): Promise<void> {
    const r = await runSimple(this.docker, name, {
      argv: ['/bin/sh', '-c', `mkdir -p ${STATE_DIR}/done && : > "${STATE_DIR}/done/$1"`, 'ambit-mark', step],
      user: '0',
    });
    if (r.exitCode !== 0) throw new Error(`could not record step ${step} in ${name}: ${r.stderr}`);
  }

  private async runSetupCommand(
    name: string,
    user: RunUser,
    command: string,
    progress: (message: string) => void,
    signal: AbortSignal | undefined,
    env: Record<string, string> = {},
  ): Promise<void> {
    progress(`$ ${command}`);
    // stdout and stderr travel separately, so their relative order is lost: keep a tail of each, stderr last
    // (where a failing command says why).
    const tails = { stdout: new TailBuffer(), stderr: new TailBuffer() };
    const lines = {
      stdout: new LineEmitter(progress, SETUP_PROGRESS_LINES / 2),
      stderr: new LineEmitter(progress, SETUP_PROGRESS_LINES / 2),
    };
    const r = await runProcess(this.docker, name, {
      argv: ['/bin/sh', '-c', command],
      user: user.user,
      cwd: WORKSPACE_DIR,
      env: { ...env, HOME: user.home },
      timeoutMs: this.options.setupCommandTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS,
      // Only the tails matter here; they are collected through onOutput.
      outputCapBytes: 0,
      signal,
      onOutput: (chunk, stream) => {
        tails[stream].push(chunk);
        lines[stream].push(chunk);
      },
    });
    lines.stdout.flush();
    lines.stderr.flush();
    signal?.throwIfAborted();
    const tail = [tailOf(tails.stdout.toString(), 15, 2000), tailOf(tails.stderr.toString(), 15, 2000)]
      .filter(Boolean)
      .join('\n');
    if (r.timedOut) throw new EnvironmentSetupError(command, null, tail, 'setup command timed out');
    if (r.exitCode !== 0) throw new EnvironmentSetupError(command, r.exitCode, tail);
  }

  async attach(ref: EnvironmentRef): Promise<EnvironmentHandle | null> {
    const name = containerName(ref.id);
    const info = await this.inspect(name);
    if (!info) return null;
    // After a host restart the container exists but is stopped; its workspace volume is intact.
    if (!info.State.Running) await this.start(name);
    return { ...ref, workdir: WORKSPACE_DIR };
  }

  async exec(handle: EnvironmentHandle, command: string, options: ExecOptions): Promise<ExecResult> {
    const cwd = this.resolveInside(handle, options.cwd ?? '.');
    const name = containerName(handle.id);
    const user = await this.userOf(name);
    const r = await runProcess(this.docker, name, {
      argv: ['/bin/sh', '-c', command],
      user: user.user,
      cwd,
      env: { HOME: user.home, ...options.env },
      timeoutMs: options.timeoutMs,
      outputCapBytes: options.outputCapBytes,
      signal: options.signal,
      onOutput: options.onOutput,
    });
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut, truncated: r.truncated };
  }

  async readFile(handle: EnvironmentHandle, relativePath: string): Promise<Buffer> {
    const target = this.resolveInside(handle, relativePath);
    const name = containerName(handle.id);
    const r = await runSimple(this.docker, name, {
      argv: ['/bin/sh', '-c', READ_FILE, 'ambit-read', target],
      user: (await this.userOf(name)).user,
      outputCapBytes: MAX_READ_BYTES,
    });
    if (r.exitCode !== 0) throw fileError('read', relativePath, r.exitCode, r.stderr);
    if (r.truncated) throw new Error(`read ${relativePath}: larger than ${MAX_READ_BYTES} bytes`);
    return r.stdoutBuffer;
  }

  async writeFile(handle: EnvironmentHandle, relativePath: string, content: string | Buffer): Promise<void> {
    const target = this.resolveInside(handle, relativePath);
    if (target === handle.workdir)
      throw Object.assign(new Error(`write ${relativePath}: is a directory`), { code: 'EISDIR' });
    const name = containerName(handle.id);
    const r = await runSimple(this.docker, name, {
      argv: ['/bin/sh', '-c', WRITE_FILE, 'ambit-write', target],
      user: (await this.userOf(name)).user,
      stdin: typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
    });
    if (r.exitCode !== 0) throw fileError('write', relativePath, r.exitCode, r.stderr);
  }

  async listFiles(
    handle: EnvironmentHandle,
    relativePath: string,
    options: { recursive: boolean; limit: number },
  ): Promise<FileEntry[]> {
    const start = this.resolveInside(handle, relativePath);
    const name = containerName(handle.id);
    const r = await runSimple(this.docker, name, {
      argv: ['/bin/sh', '-c', LIST_FILES, 'ambit-list', start, options.recursive ? '1' : '0'],
      user: (await this.userOf(name)).user,
      outputCapBytes: LIST_OUTPUT_CAP,
    });
    if (r.exitCode !== 0) throw fileError('list', relativePath, r.exitCode, r.stderr);
    return orderEntries(r.stdout, start, handle.workdir, options);
  }

  mcpStdioTransport(
    handle: EnvironmentHandle,
    server: { command: string; args?: string[]; env?: Record<string, string> },
  ): Transport {
    const name = containerName(handle.id);
    return new DockerExecTransport({
      docker: this.docker,
      container: name,
      argv: [server.command, ...(server.args ?? [])],
      cwd: handle.workdir,
      resolveUser: () => this.userOf(name),
      env: server.env ?? {},
    });
  }

  async destroy(ref: EnvironmentRef): Promise<void> {
    const name = containerName(ref.id);
    this.users.delete(name);
    await removeContainerAndVolume(this.docker, ref.id);
  }
}

/**
 * Orders `find` output like the workspace provider: depth first, entries of each folder by name, without entering
 * `.git` and `node_modules`, at most `limit` entries.
 */
function orderEntries(
  output: string,
  start: string,
  workdir: string,
  options: { recursive: boolean; limit: number },
): FileEntry[] {
  const children = new Map<string, { full: string; entry: FileEntry }[]>();
  for (const line of output.split('\n')) {
    const first = line.indexOf('|');
    const second = line.indexOf('|', first + 1);
    if (first < 0 || second < 0) continue;
    const kind = line.slice(0, first);
    const full = line.slice(second + 1);
    const type: FileEntry['type'] = kind.includes('directory')
      ? 'directory'
      : kind.includes('symbolic link')
        ? 'symlink'
        : kind.startsWith('regular')
          ? 'file'
          : 'other';
    const entry = {
      path: path.posix.relative(workdir, full),
      type,
      size: type === 'directory' ? 0 : Number(line.slice(first + 1, second)) || 0,
    };
    const parent = path.posix.dirname(full);
    const list = children.get(parent) ?? [];
    list.push({ full, entry });
    children.set(parent, list);
  }
  const out: FileEntry[] = [];
  const walk = (dir: string) => {
    const list = (children.get(dir) ?? []).sort((a, b) =>
      path.posix.basename(a.full).localeCompare(path.posix.basename(b.full)),
    );
    for (const { full, entry } of list) {
      if (out.length >= options.limit) return;
      out.push(entry);
      const base = path.posix.basename(full);
      if (entry.type === 'directory' && options.recursive && base !== '.git' && base !== 'node_modules') walk(full);
    }
  };
  walk(start);
  return out;
}

/** Removes a run's container and its workspace volume; succeeds when they are already gone. */
export async function removeContainerAndVolume(docker: Docker, runId: string): Promise<void> {
  const container = docker.getContainer(containerName(runId));
  for (let attempt = 0; ; attempt += 1) {
    try {
      await container.remove({ force: true, v: true });
      break;
    } catch (err) {
      if (isNotFound(err)) break;
      // 409: a removal is already in progress (another attempt, the reaper): wait for it to finish.
      if (statusCodeOf(err) !== 409 || attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const volume = docker.getVolume(volumeName(runId));
  for (let attempt = 0; ; attempt += 1) {
    try {
      await volume.remove();
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      // 409: still in use by the container being removed.
      if (statusCodeOf(err) !== 409 || attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
