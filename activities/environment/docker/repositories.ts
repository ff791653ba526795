/**
 * Cloning a run's repositories into its workspace: with the image's own git when it has one (and a network), else
 * on the host worker and copied in. A token is used for the clone only: it reaches git through stdin (in the
 * container) or the command line of a short-lived host process, never the repository's config, Docker's record of
 * the exec, or a log line.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { EnvironmentSetupError, type EnvironmentRepository } from '../provider';
import { tailOf, TailBuffer } from './output';
import { runProcess, runSimple } from './process';

/** The workspace folder a repository is cloned into, relative to the workspace. */
export function repositoryFolder(repo: EnvironmentRepository): string {
  if (repo.path) return repo.path;
  const last = repo.url.replace(/\/+$/, '').split(/[/:]/).pop() ?? '';
  const name = last.replace(/\.git$/, '').replace(/[^A-Za-z0-9._-]/g, '_');
  return name === '' || /^\.+$/.test(name) ? 'repository' : name;
}

export function isHttpRepository(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

export function isLocalRepository(url: string): boolean {
  return /^file:\/\//i.test(url);
}

/** The URL git is given: with the token as the URL's password (GitHub/GitLab style) for HTTPS repositories. */
function cloneUrl(repo: EnvironmentRepository): string {
  if (!repo.token) return repo.url;
  const url = new URL(repo.url);
  url.username = repo.username ?? 'x-access-token';
  url.password = repo.token;
  return url.toString();
}

/** Removes the token from text git printed (it may echo the URL it was given). */
function redact(text: string, repo: EnvironmentRepository): string {
  if (!repo.token) return text;
  let out = text;
  for (const secret of new Set([repo.token, encodeURIComponent(repo.token)])) out = out.split(secret).join('***');
  return out;
}

function cloneFailed(repo: EnvironmentRepository, exitCode: number | null, output: string): EnvironmentSetupError {
  return new EnvironmentSetupError(
    `git clone ${repo.url}`,
    exitCode,
    tailOf(redact(output, repo)),
    `cloning ${repo.url}${repo.ref ? ` at ${repo.ref}` : ''} failed`,
  );
}

export interface CloneTarget {
  docker: Docker;
  container: string;
  /** Absolute folder inside the container; replaced if an interrupted attempt left one. */
  target: string;
  user: string;
  home: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

const CLONE_IN_CONTAINER = `
set -e
target=$1; clean=$2; ref=$3
IFS= read -r url
rm -rf "$target"
mkdir -p "\${target%/*}"
git clone --no-progress -- "$url" "$target"
cd "$target"
git remote set-url origin "$clean"
if [ -n "$ref" ]; then git checkout -q "$ref" --; fi
git rev-parse HEAD
`;

const COMMIT = /([0-9a-f]{40}(?:[0-9a-f]{24})?)\s*$/;

/** The commit `git rev-parse HEAD` printed last, which the warm-start key records. */
function commitOf(output: string, repo: EnvironmentRepository): string {
  const m = COMMIT.exec(output);
  if (!m?.[1]) throw new Error(`cloning ${repo.url}: git rev-parse HEAD printed no commit`);
  return m[1];
}

/**
 * Clones with the image's git, as the run's user, so the checkout belongs to the user that edits it. Resolves with
 * the commit checked out.
 */
export async function cloneInContainer(repo: EnvironmentRepository, t: CloneTarget): Promise<string> {
  const r = await runProcess(t.docker, t.container, {
    argv: ['/bin/sh', '-c', CLONE_IN_CONTAINER, 'ambit-clone', t.target, repo.url, repo.ref ?? ''],
    user: t.user,
    cwd: '/',
    env: { HOME: t.home, GIT_TERMINAL_PROMPT: '0' },
    stdin: `${cloneUrl(repo)}\n`,
    timeoutMs: t.timeoutMs,
    outputCapBytes: 256 * 1024,
    signal: t.signal,
  });
  t.signal?.throwIfAborted();
  if (r.exitCode !== 0) {
    throw cloneFailed(repo, r.exitCode, r.timedOut ? `${r.stderr}\n(timed out)` : `${r.stdout}${r.stderr}`);
  }
  return commitOf(r.stdout, repo);
}

interface HostResult {
  code: number | null;
  output: string;
}

/** Runs git on the host with none of the host's git configuration or credentials, and no prompts. */
function hostGit(
  args: string[],
  options: { allowLocal: boolean; timeoutMs: number; signal?: AbortSignal; cwd: string },
) {
  return new Promise<HostResult>((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: options.cwd,
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        // Without this a run could make the worker clone over ssh with the worker's own keys.
        GIT_ALLOW_PROTOCOL: options.allowLocal ? 'http:https:file' : 'http:https',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = new TailBuffer();
    child.stdout.on('data', (b: Buffer) => output.push(b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => output.push(b.toString('utf8')));
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(() => {
      output.push('\n(timed out)');
      kill();
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      resolve({ code, output: output.toString() });
    });
  });
}

/** Packs a folder with the host's tar and extracts it at `target` inside the container. */
async function copyIntoContainer(docker: Docker, container: string, source: string, target: string): Promise<void> {
  const tar = spawn('tar', ['-C', source, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const errors = new TailBuffer(4096);
  tar.stderr.on('data', (b: Buffer) => errors.push(b.toString('utf8')));
  const exited = new Promise<number | null>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', resolve);
  });
  try {
    await docker.getContainer(container).putArchive(tar.stdout, { path: target });
  } catch (err) {
    tar.kill('SIGKILL');
    throw err;
  }
  const code = await exited;
  if (code !== 0) throw new Error(`tar of ${source} exited with ${code}: ${errors.toString()}`);
}

/**
 * Clones on the host (the image has no git or no network) and copies the checkout in, owned by the run's user.
 * Resolves with the commit checked out.
 */
export async function cloneOnHost(
  repo: EnvironmentRepository,
  t: CloneTarget & { tmpDir: string; allowLocal: boolean },
): Promise<string> {
  const dir = await fs.mkdtemp(path.join(t.tmpDir, 'ambit-clone-'));
  const checkout = path.join(dir, 'checkout');
  const git = (args: string[]) =>
    hostGit(args, { allowLocal: t.allowLocal, timeoutMs: t.timeoutMs, signal: t.signal, cwd: dir });
  try {
    const steps = [
      ['clone', '--no-progress', '--', cloneUrl(repo), checkout],
      ['-C', checkout, 'remote', 'set-url', 'origin', repo.url],
      ...(repo.ref ? [['-C', checkout, 'checkout', '-q', repo.ref, '--']] : []),
    ];
    for (const args of steps) {
      const r = await git(args);
      t.signal?.throwIfAborted();
      if (r.code !== 0) throw cloneFailed(repo, r.code, r.output);
    }
    const head = await git(['-C', checkout, 'rev-parse', 'HEAD']);
    if (head.code !== 0) throw cloneFailed(repo, head.code, head.output);
    const commit = commitOf(head.output, repo);
    await runSimple(t.docker, t.container, {
      argv: ['/bin/sh', '-c', 'rm -rf "$1" && mkdir -p "$1"', 'ambit-mkdir', t.target],
      user: t.user,
      signal: t.signal,
    }).then((r) => {
      if (r.exitCode !== 0) throw new Error(`could not create ${t.target}: ${r.stderr}`);
    });
    await copyIntoContainer(t.docker, t.container, checkout, t.target);
    // The archive's files arrive owned by the host user that cloned them; hand them to the run's user.
    if (t.user !== 'root' && t.user !== '0') {
      const r = await runSimple(t.docker, t.container, {
        argv: ['/bin/sh', '-c', 'chown -R "$1" "$2"', 'ambit-chown', t.user, t.target],
        user: '0',
      });
      if (r.exitCode !== 0) throw new Error(`could not give ${t.target} to ${t.user}: ${r.stderr}`);
    }
    return commit;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * The commit a repository's ref points at now, asked of the remote with `git ls-remote` on the host (the token, when
 * there is one, only in that short-lived process's URL, as for host clones). Null when it cannot be known without
 * cloning (an abbreviated commit, an unreachable remote): the run then starts cold.
 */
export async function resolveRemoteCommit(
  repo: EnvironmentRepository,
  options: { tmpDir: string; allowLocal: boolean; timeoutMs: number; signal?: AbortSignal },
): Promise<string | null> {
  if (repo.ref && /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(repo.ref)) return repo.ref;
  const dir = await fs.mkdtemp(path.join(options.tmpDir, 'ambit-ls-remote-'));
  try {
    const r = await hostGit(['ls-remote', '--', cloneUrl(repo), repo.ref ?? 'HEAD'], {
      allowLocal: options.allowLocal,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      cwd: dir,
    });
    if (r.code !== 0) return null;
    const refs = new Map<string, string>();
    for (const line of r.output.split('\n')) {
      const m = /^([0-9a-f]{40,64})\t(\S+)$/.exec(line.trim());
      if (m?.[1] && m[2]) refs.set(m[2], m[1]);
    }
    if (!repo.ref) return refs.get('HEAD') ?? null;
    // The order git checkout resolves a name in after a clone: a branch, else a tag (peeled to its commit).
    return (
      refs.get(`refs/heads/${repo.ref}`) ??
      refs.get(`refs/tags/${repo.ref}^{}`) ??
      refs.get(`refs/tags/${repo.ref}`) ??
      refs.get(repo.ref) ??
      null
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
