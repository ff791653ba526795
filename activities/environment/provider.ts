/**
 * Where a run's agent works. The workflow only ever holds an `EnvironmentRef`; providers turn it back into a
 * handle on whichever host worker executes the activity, so a restarted worker finds the same environment.
 * The local workspace provider is the first; Docker implements the same interface.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { z } from 'zod';
import {
  DockerImageSchema,
  EnvironmentVariablesSchema,
  isValidGitRef,
  normalizeGitUrl,
  SetupCommandsSchema,
} from '../../src/domain/environment';
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
  /**
   * The warm-start snapshot this environment was started from (`reused`), or was saved as once its setup finished;
   * absent when the provider keeps no snapshots.
   */
  snapshot?: { key: string; image: string; reused: boolean };
  /** Set by a `stepwise` prepare that stopped after a step: call `prepare` again to continue. */
  incomplete?: boolean;
}

/** A repository to clone into the workspace, with the token (from secrets) that HTTPS clones of it need. */
export const EnvironmentRepositorySchema = z.object({
  url: z.string().superRefine((value, ctx) => {
    const parsed = normalizeGitUrl(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `repositories[].url ${parsed.reason}` });
  }),
  ref: z
    .string()
    .refine(isValidGitRef, 'repositories[].ref must be a branch, tag or commit as git accepts it, e.g. "main"')
    .optional(),
  /** Used for the clone only (never stored in the clone's config, never logged). */
  token: z.string().min(1, 'repositories[].token must not be empty; leave it out for public repositories').optional(),
  /** User name that goes with the token; GitHub accepts `x-access-token`, GitLab `oauth2`. */
  username: z
    .string()
    .regex(/^[^:@/\s]+$/, 'repositories[].username must not contain ":", "@", "/" or spaces')
    .optional(),
  /** Folder in the workspace (default: the repository name). */
  path: z
    .string()
    .regex(
      /^(?!\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9._-]+)*$/,
      'repositories[].path must be a relative folder such as "api" or "src/api", without ".." or a leading "/"',
    )
    .optional(),
});
export type EnvironmentRepository = z.infer<typeof EnvironmentRepositorySchema>;

/** What a run's environment is made of: providers that cannot honour a field (the workspace provider) ignore it. */
export const EnvironmentSpecSchema = z.object({
  image: DockerImageSchema,
  repositories: z.array(EnvironmentRepositorySchema).optional(),
  setupCommands: SetupCommandsSchema.optional(),
  env: EnvironmentVariablesSchema.optional(),
  limits: z
    .object({
      cpus: z.number().positive('limits.cpus must be above 0, e.g. 1.5').max(1024).optional(),
      memoryMb: z.number().int().min(8, 'limits.memoryMb must be at least 8 (MiB)').optional(),
      pids: z.number().int().min(8, 'limits.pids must be at least 8').optional(),
    })
    .optional(),
  /** `none`, `bridge` (the default) or the name of a Docker network. */
  network: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'network must be "none", "bridge" or the name of a Docker network')
    .refine((n) => n !== 'host', 'network "host" would share the host\'s network with the run; use "bridge" or "none"')
    .optional(),
  /** User the agent's commands run as; default: `ambit`, else `nobody`, else root, whichever the image has. */
  user: z
    .string()
    .regex(/^[a-z_][a-z0-9_.-]*$|^[0-9]+$/i, 'user must be a user name or numeric uid that exists in the image')
    .optional(),
  /** Credentials for pulling the image from a private registry. */
  registryAuth: z
    .object({
      username: z.string().min(1),
      password: z.string().min(1),
      serveraddress: z.string().min(1).optional(),
    })
    .optional(),
});
export type EnvironmentSpec = z.infer<typeof EnvironmentSpecSchema>;

export interface PrepareEnvironmentInput {
  runId: string;
  onProgress?: (message: string) => void;
  /** What to build; providers without images (the workspace provider) ignore it. */
  spec?: EnvironmentSpec;
  /** Aborts provisioning (the activity's cancellation): a running setup command is killed. */
  signal?: AbortSignal;
  /**
   * Return after each finished step (container created, one clone, one setup command) with `incomplete: true`, so
   * the caller can record progress between steps; the next call resumes after the last finished step.
   */
  stepwise?: boolean;
  /**
   * Extra variables for setup commands only (e.g. secrets decrypted on the host): never stored in the container's
   * configuration, a snapshot or its key.
   */
  env?: Record<string, string>;
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

/**
 * A user-side provisioning failure (a setup command or a clone failed, the image does not exist): the activity
 * layer ends the run FAILED with `environment_setup_failed`. Carries the command and the tail of its output.
 */
export class EnvironmentSetupError extends Error {
  override readonly name = 'EnvironmentSetupError';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly outputTail: string,
    reason?: string,
  ) {
    super(
      `${reason ?? `setup command failed${exitCode === null ? '' : ` with exit code ${exitCode}`}`}: ${command}` +
        (outputTail ? `\n${outputTail}` : ''),
    );
  }
}
