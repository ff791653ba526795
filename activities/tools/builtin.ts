import { z } from 'zod';
import { DEFAULT_SHELL_TIMEOUT_SECONDS, TOOL_OUTPUT_CAP_BYTES } from '../../src/domain/limits';
import type { EnvironmentHandle, EnvironmentProvider } from '../environment/provider';
import type { ToolDefinition, ToolOutcome } from './types';

const RunShellInput = z.object({
  command: z.string().min(1),
  timeout_seconds: z.number().int().min(1).max(3600).optional(),
  cwd: z.string().optional(),
});
const ReadFileInput = z.object({
  path: z.string().min(1),
  offset: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).optional(),
});
const WriteFileInput = z.object({ path: z.string().min(1), content: z.string() });
const EditFileInput = z.object({
  path: z.string().min(1),
  old_string: z.string().min(1),
  new_string: z.string(),
  replace_all: z.boolean().optional(),
});
const ListFilesInput = z.object({ path: z.string().optional(), recursive: z.boolean().optional() });

const READ_CAP_CHARS = 100_000;
const LIST_LIMIT = 1000;

type BuiltinSpec = Omit<ToolDefinition, 'source' | 'inputSchema'> & { input: z.ZodType };

const SPECS: BuiltinSpec[] = [
  {
    name: 'run_shell_command',
    category: 'command',
    description:
      'Run a shell command (sh -c) in the workspace. Returns exit_code, stdout, stderr (each capped), and timed_out.',
    input: RunShellInput,
  },
  {
    name: 'read_file',
    category: 'files',
    description: 'Read a text file in the workspace. offset/limit select lines (0-based offset).',
    input: ReadFileInput,
  },
  {
    name: 'write_file',
    category: 'files',
    description: 'Create or overwrite a file in the workspace with the given content (parent folders are created).',
    input: WriteFileInput,
  },
  {
    name: 'edit_file',
    category: 'files',
    description:
      'Replace old_string with new_string in a file. old_string must occur exactly once unless replace_all is true.',
    input: EditFileInput,
  },
  {
    name: 'list_files',
    category: 'files',
    description: 'List files and folders under a path of the workspace (default "."), optionally recursively.',
    input: ListFilesInput,
  },
];

export const BUILTIN_TOOLS: ToolDefinition[] = SPECS.map((s) => ({
  name: s.name,
  description: s.description,
  category: s.category,
  inputSchema: z.toJSONSchema(s.input),
  source: { kind: 'builtin' },
}));

const failed = (error: string): ToolOutcome => ({ state: 'failed', output: { error } });

function invalidInput(name: string, error: z.ZodError): ToolOutcome {
  return failed(
    `invalid input for ${name}: ${error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}`,
  );
}

export interface BuiltinToolContext {
  provider: EnvironmentProvider;
  handle: EnvironmentHandle;
  signal?: AbortSignal;
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Extra variables for shell commands (e.g. the run's secrets, decrypted on the host). */
  env?: Record<string, string>;
}

/** Executes a built-in tool. Failures the model can act on (bad path, non-unique edit) are tool results, not errors. */
export async function executeBuiltinTool(
  name: string,
  rawInput: unknown,
  ctx: BuiltinToolContext,
): Promise<ToolOutcome> {
  const { provider, handle } = ctx;
  try {
    switch (name) {
      case 'run_shell_command': {
        const parsed = RunShellInput.safeParse(rawInput);
        if (!parsed.success) return invalidInput(name, parsed.error);
        const r = await provider.exec(handle, parsed.data.command, {
          cwd: parsed.data.cwd,
          ...(ctx.env ? { env: ctx.env } : {}),
          timeoutMs: (parsed.data.timeout_seconds ?? DEFAULT_SHELL_TIMEOUT_SECONDS) * 1000,
          outputCapBytes: TOOL_OUTPUT_CAP_BYTES,
          signal: ctx.signal,
          onOutput: ctx.onOutput,
        });
        return {
          state: r.exitCode === 0 ? 'completed' : 'failed',
          output: {
            exit_code: r.exitCode,
            stdout: r.stdout,
            stderr: r.stderr,
            timed_out: r.timedOut,
            truncated: r.truncated,
          },
        };
      }
      case 'read_file': {
        const parsed = ReadFileInput.safeParse(rawInput);
        if (!parsed.success) return invalidInput(name, parsed.error);
        const text = (await provider.readFile(handle, parsed.data.path)).toString('utf8');
        let content = text;
        if (parsed.data.offset !== undefined || parsed.data.limit !== undefined) {
          const lines = text.split('\n');
          const from = parsed.data.offset ?? 0;
          content = lines.slice(from, parsed.data.limit ? from + parsed.data.limit : undefined).join('\n');
        }
        const truncated = content.length > READ_CAP_CHARS;
        return {
          state: 'completed',
          output: { path: parsed.data.path, content: content.slice(0, READ_CAP_CHARS), truncated },
        };
      }
      case 'write_file': {
        const parsed = WriteFileInput.safeParse(rawInput);
        if (!parsed.success) return invalidInput(name, parsed.error);
        await provider.writeFile(handle, parsed.data.path, parsed.data.content);
        return {
          state: 'completed',
          output: { path: parsed.data.path, bytes_written: Buffer.byteLength(parsed.data.content) },
        };
      }
      case 'edit_file': {
        const parsed = EditFileInput.safeParse(rawInput);
        if (!parsed.success) return invalidInput(name, parsed.error);
        const { path: p, old_string, new_string, replace_all } = parsed.data;
        const text = (await provider.readFile(handle, p)).toString('utf8');
        const count = text.split(old_string).length - 1;
        if (count === 0) return failed(`old_string not found in ${p}`);
        if (count > 1 && !replace_all)
          return failed(`old_string occurs ${count} times in ${p}; pass replace_all or a longer old_string`);
        const next = replace_all ? text.split(old_string).join(new_string) : text.replace(old_string, () => new_string);
        await provider.writeFile(handle, p, next);
        return { state: 'completed', output: { path: p, replacements: replace_all ? count : 1 } };
      }
      case 'list_files': {
        const parsed = ListFilesInput.safeParse(rawInput);
        if (!parsed.success) return invalidInput(name, parsed.error);
        const entries = await provider.listFiles(handle, parsed.data.path ?? '.', {
          recursive: parsed.data.recursive ?? false,
          limit: LIST_LIMIT,
        });
        return { state: 'completed', output: { entries, truncated: entries.length >= LIST_LIMIT } };
      }
      default:
        return failed(`unknown tool ${name}`);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (
      e.name === 'EnvironmentPathError' ||
      e.code === 'ENOENT' ||
      e.code === 'EISDIR' ||
      e.code === 'ENOTDIR' ||
      e.code === 'EACCES'
    ) {
      return failed(
        e.code === 'ENOENT' ? `no such file or directory: ${(rawInput as { path?: string }).path ?? ''}` : e.message,
      );
    }
    throw err;
  }
}
