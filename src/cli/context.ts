import { type Command } from 'commander';
import { AmbitClient } from '../client';
import { redact } from '../client/http';
import { type CliEnv } from '../config/cli';
import { type ErrorContext } from './errors';
import { DEFAULT_API_URL, DEFAULT_TIMEOUT_SECONDS, GlobalFlagsSchema, parseFlags, type GlobalFlags } from './flags';
import { Output, type Sink } from './output';

export interface CliIO {
  stdout: Sink & { isTTY?: boolean };
  stderr: Sink;
  /** Where interactive commands (attach) read lines; defaults to the process's stdin. */
  stdin?: NodeJS.ReadableStream;
  env: CliEnv;
  /** Fires on Ctrl-C: a command that waits stops and exits 130. */
  signal?: AbortSignal;
}

/** Mutable state of one CLI invocation: what the error printer needs and the exit code a command chose. */
export interface CliState {
  exitCode: number;
  errors: ErrorContext;
  /** Kept only to scrub it from anything printed. */
  apiKey?: string;
}

export interface CommandContext {
  client: AmbitClient;
  out: Output;
  flags: GlobalFlags;
  io: CliIO;
  state: CliState;
}

export function newState(env: CliEnv): CliState {
  return {
    exitCode: 0,
    apiKey: env.apiKey,
    errors: {
      apiUrl: redact(env.apiUrl ?? DEFAULT_API_URL),
      apiKeyGiven: env.apiKey !== undefined,
      timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    },
  };
}

/** Validates the global flags (with the environment as fallback) and builds the client and output for a command. */
export function commandContext(cmd: Command, io: CliIO, state: CliState): CommandContext {
  const o = cmd.optsWithGlobals<Record<string, unknown>>();
  const apiKey = (o['apiKey'] as string | undefined) ?? io.env.apiKey;
  state.apiKey = apiKey ?? state.apiKey;
  const flags = parseFlags(
    GlobalFlagsSchema,
    {
      apiUrl: o['apiUrl'] ?? io.env.apiUrl ?? DEFAULT_API_URL,
      apiKey,
      outputFormat: o['outputFormat'] ?? 'pretty',
      timeout: o['timeout'] ?? DEFAULT_TIMEOUT_SECONDS,
    },
    {
      apiUrl: o['apiUrl'] !== undefined ? '--api-url' : 'AMBIT_API_URL',
      apiKey: o['apiKey'] !== undefined ? '--api-key' : 'AMBIT_API_KEY',
      outputFormat: '--output-format',
      timeout: '--timeout',
    },
  );
  state.errors = {
    apiUrl: redact(flags.apiUrl),
    apiKeyGiven: flags.apiKey !== undefined,
    timeoutSeconds: flags.timeout,
  };
  const client = new AmbitClient({ baseUrl: flags.apiUrl, apiKey: flags.apiKey, timeoutMs: flags.timeout * 1000 });
  const colour = io.stdout.isTTY === true && !io.env.noColor;
  return { client, out: new Output(flags.outputFormat, io.stdout, colour), flags, io, state };
}
