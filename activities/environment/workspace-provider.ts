import fs from 'node:fs/promises';
import path from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { EnvironmentRef } from '../../workflows/definitions';
import { execShell } from './exec';
import {
  EnvironmentPathError,
  type EnvironmentHandle,
  type EnvironmentProvider,
  type ExecOptions,
  type FileEntry,
  type PrepareEnvironmentInput,
} from './provider';

/** Variables a run's commands inherit from the host; nothing else of the worker's environment leaks in. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER', 'SHELL', 'TERM'];

/**
 * A workspace directory per run on the host worker: the lightest environment, for trusted hosts and tests.
 * The directory name comes from the run id, so preparing twice yields the same workspace.
 */
export class WorkspaceProvider implements EnvironmentProvider {
  readonly name = 'workspace';
  constructor(private readonly root: string) {}

  private dirFor(id: string): string {
    // Dots-only ids ('.', '..') would name the workspaces folder or its parent, which destroy() removes.
    if (!/^[a-zA-Z0-9._-]+$/.test(id) || /^\.+$/.test(id))
      throw new EnvironmentPathError(`invalid environment id ${id}`);
    return path.join(this.root, id);
  }

  private baseEnv(handle: EnvironmentHandle): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const k of INHERITED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
    env['AMBIT_WORKSPACE'] = handle.workdir;
    return env;
  }

  /** Resolves a path the agent gave, refusing anything outside the workspace (including through `..`). */
  resolveInside(handle: EnvironmentHandle, relativePath: string): string {
    const target = path.resolve(handle.workdir, relativePath);
    if (target !== handle.workdir && !target.startsWith(handle.workdir + path.sep)) {
      throw new EnvironmentPathError(`path ${relativePath} is outside the workspace`);
    }
    return target;
  }

  async prepare(input: PrepareEnvironmentInput): Promise<EnvironmentHandle> {
    const workdir = this.dirFor(input.runId);
    await fs.mkdir(workdir, { recursive: true });
    input.onProgress?.(`workspace ready at ${workdir}`);
    return { provider: this.name, id: input.runId, workdir };
  }

  async attach(ref: EnvironmentRef): Promise<EnvironmentHandle | null> {
    const workdir = this.dirFor(ref.id);
    try {
      const stat = await fs.stat(workdir);
      return stat.isDirectory() ? { ...ref, workdir } : null;
    } catch {
      return null;
    }
  }

  async exec(handle: EnvironmentHandle, command: string, options: ExecOptions) {
    const cwd = this.resolveInside(handle, options.cwd ?? '.');
    return execShell(command, cwd, options, this.baseEnv(handle));
  }

  async readFile(handle: EnvironmentHandle, relativePath: string): Promise<Buffer> {
    return fs.readFile(this.resolveInside(handle, relativePath));
  }

  async writeFile(handle: EnvironmentHandle, relativePath: string, content: string | Buffer): Promise<void> {
    const target = this.resolveInside(handle, relativePath);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content);
  }

  async listFiles(
    handle: EnvironmentHandle,
    relativePath: string,
    options: { recursive: boolean; limit: number },
  ): Promise<FileEntry[]> {
    const start = this.resolveInside(handle, relativePath);
    const out: FileEntry[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true });
      entries.sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of entries) {
        if (out.length >= options.limit) return;
        const full = path.join(dir, entry.name);
        const rel = path.relative(handle.workdir, full);
        if (entry.isDirectory()) {
          out.push({ path: rel, type: 'directory', size: 0 });
          if (options.recursive && entry.name !== '.git' && entry.name !== 'node_modules') await walk(full);
        } else {
          const stat = await fs.lstat(full);
          out.push({
            path: rel,
            type: entry.isFile() ? 'file' : entry.isSymbolicLink() ? 'symlink' : 'other',
            size: stat.size,
          });
        }
      }
    };
    await walk(start);
    return out;
  }

  mcpStdioTransport(
    handle: EnvironmentHandle,
    server: { command: string; args?: string[]; env?: Record<string, string> },
  ) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.baseEnv(handle))) if (v !== undefined) env[k] = v;
    return new StdioClientTransport({
      command: server.command,
      args: server.args ?? [],
      env: { ...env, ...server.env },
      cwd: handle.workdir,
      stderr: 'pipe',
    });
  }

  async destroy(ref: EnvironmentRef): Promise<void> {
    await fs.rm(this.dirFor(ref.id), { recursive: true, force: true });
  }
}
