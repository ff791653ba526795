/**
 * Where a run's agent works. The workflow only ever holds an `EnvironmentRef`; providers turn it back into a
 * handle on whichever host worker executes the activity, so a restarted worker finds the same environment.
 * The local workspace provider is the first; Docker implements the same interface.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { EnvironmentRef } from '../../workflows/definitions';

export interface ExecOptions {
  /** Working directory relative to the environment's workdir. */
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs: number;
  outputCapBytes: number;
  signal?: AbortSignal;
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
}

export interface FileEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
}

export interface EnvironmentHandle extends EnvironmentRef {
  /** Absolute path of the workspace inside the environment. */
  workdir: string;
}

export interface PrepareEnvironmentInput {
  runId: string;
  onProgress?: (message: string) => void;
}

export interface EnvironmentProvider {
  readonly name: string;
  /** Creates the environment for a run, or returns the existing one: safe to call again after a crash. */
  prepare(input: PrepareEnvironmentInput): Promise<EnvironmentHandle>;
  /** Finds the environment of a ref again; null when it is gone. */
  attach(ref: EnvironmentRef): Promise<EnvironmentHandle | null>;
  exec(handle: EnvironmentHandle, command: string, options: ExecOptions): Promise<ExecResult>;
  readFile(handle: EnvironmentHandle, relativePath: string): Promise<Buffer>;
  writeFile(handle: EnvironmentHandle, relativePath: string, content: string | Buffer): Promise<void>;
  listFiles(
    handle: EnvironmentHandle,
    relativePath: string,
    options: { recursive: boolean; limit: number },
  ): Promise<FileEntry[]>;
  /** A transport to an MCP stdio server started inside the environment. */
  mcpStdioTransport(
    handle: EnvironmentHandle,
    server: { command: string; args?: string[]; env?: Record<string, string> },
  ): Transport;
  /** Removes the environment and everything it holds; succeeds when it is already gone. */
  destroy(ref: EnvironmentRef): Promise<void>;
}

export class EnvironmentPathError extends Error {
  override readonly name = 'EnvironmentPathError';
}
