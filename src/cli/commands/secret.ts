/**
 * `ambit secret create|list|get|update|delete`. A value is read from standard input or `--value-file`, never from
 * the command line (argv is visible to every user of the machine in `ps` and lands in shell history), and is never
 * printed: every answer is metadata.
 */
import fs from 'node:fs';
import { type Command } from 'commander';
import { z } from 'zod';
import type { SecretItem } from '../../secrets/schemas';
import { CreateSecretRequestSchema, SECRET_NAME_PATTERN, UpdateSecretRequestSchema } from '../../secrets/schemas';
import { type CliIO, type CliState, type CommandContext, commandContext } from '../context';
import { UsageError } from '../errors';
import { parseFlags } from '../flags';
import { shortTime, truncate } from '../output';

/** Checks a request with the API's own schema and turns the first problem into a one-line `UsageError`. */
function checkRequest<S extends z.ZodType>(schema: S, request: unknown, flags: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  throw new UsageError(`${flags[field] ?? field ?? 'request'} ${issue.message}`);
}

/** Strips the one line break that `echo` and editors add; a value with inner line breaks keeps them. */
function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** On a terminal: a prompt on stderr and a line read without echo. */
async function readHidden(io: CliIO, stdin: NodeJS.ReadStream, name: string): Promise<string> {
  io.stderr.write(`Value for ${name} (input hidden, Enter to finish): `);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            resolve(value);
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            reject(new UsageError('cancelled'));
            return;
          }
          if (ch === '\u007f') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    io.stderr.write('\n');
  }
}

/** The value: `--value-file` (or "-" for stdin), else standard input (a hidden prompt on a terminal). */
async function readValue(io: CliIO, name: string, valueFile: string | undefined): Promise<string> {
  let value: string;
  if (valueFile !== undefined && valueFile !== '-') {
    try {
      value = withoutFinalNewline(fs.readFileSync(valueFile, 'utf8'));
    } catch (err) {
      throw new UsageError(`--value-file ${valueFile}: ${(err as NodeJS.ErrnoException).code ?? 'cannot be read'}`);
    }
  } else {
    const stdin = (io as { stdin?: NodeJS.ReadableStream }).stdin ?? process.stdin;
    const tty = stdin as NodeJS.ReadStream;
    value =
      tty.isTTY === true && typeof tty.setRawMode === 'function'
        ? await readHidden(io, tty, name)
        : withoutFinalNewline(await readStream(stdin));
  }
  if (value.length === 0) {
    throw new UsageError(
      'the secret value is empty: pipe it on standard input (e.g. `ambit secret create NAME < token.txt`) or give --value-file',
    );
  }
  return value;
}

function scopeLabel(s: SecretItem): string {
  return s.scope.type === 'User' ? 'personal' : 'team';
}

function report(ctx: CommandContext, s: SecretItem, verb: 'Created' | 'Updated'): void {
  const { out } = ctx;
  if (out.structured) return out.json(s);
  if (out.format === 'text') return out.line(s.id);
  out.line(`${out.paint('green', '✓')} ${verb} ${scopeLabel(s)} secret ${out.paint('bold', s.name)} (${s.id})`);
  if (verb === 'Created') out.line(`  ${out.paint('dim', 'Runs see it as the environment variable')} $${s.name}`);
}

/** A secret by id, or by name (with --personal/--team to choose when both scopes have the name). */
async function resolveSecret(ctx: CommandContext, ref: string, scope?: 'Team' | 'User'): Promise<SecretItem> {
  if (ref.startsWith('sec_')) return ctx.client.secrets.get(ref);
  if (!SECRET_NAME_PATTERN.test(ref)) {
    throw new UsageError(`"${ref}" is neither a secret id (sec_…) nor a secret name (e.g. GITHUB_TOKEN)`);
  }
  const { secrets } = await ctx.client.secrets.list(scope ? { scope } : {});
  const matches = secrets.filter((s) => s.name === ref);
  if (matches.length === 0)
    throw new UsageError(`no secret named ${ref} is visible to this key; see ambit secret list`);
  if (matches.length > 1) {
    throw new UsageError(
      `${matches.length} secrets are named ${ref} (${matches.map((s) => `${s.id}, ${scopeLabel(s)}`).join('; ')}); ` +
        'add --personal or --team, or give the id',
    );
  }
  return matches[0]!;
}

const ScopeFlagsSchema = z.object({ personal: z.boolean().optional(), team: z.boolean().optional() });
function scopeOf(opts: Record<string, unknown>): 'Team' | 'User' | undefined {
  const f = parseFlags(ScopeFlagsSchema, opts, {});
  if (f.personal && f.team) throw new UsageError('--personal and --team exclude each other');
  return f.personal ? 'User' : f.team ? 'Team' : undefined;
}

export function registerSecretCommands(program: Command, io: CliIO, state: CliState): void {
  const secret = program
    .command('secret')
    .description('Manage secrets: environment variables of runs whose values are write-only and never printed.')
    .addHelpText(
      'after',
      `
Values are read from standard input or --value-file, never from the command line.

Examples:
  $ ambit secret create GITHUB_TOKEN < token.txt
  $ printf %s "$TOKEN" | ambit secret create NPM_TOKEN --personal
  $ ambit secret create SENTRY_DSN --value-file ./dsn.txt --description "error reporting"
  $ ambit secret list
  $ ambit secret update GITHUB_TOKEN < new-token.txt
  $ ambit secret delete GITHUB_TOKEN`,
    );

  secret
    .command('create')
    .description('Create a secret (team-wide unless --personal); the value comes from stdin or --value-file.')
    .argument('<NAME>', 'environment variable name, e.g. GITHUB_TOKEN')
    .option('--value-file <path>', 'read the value from this file ("-" for standard input)')
    .option('--description <text>', 'what it is for')
    .option('--personal', 'a personal secret: only your own runs (never scheduled ones) receive it')
    .action(async (name: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const flagNames = { name: 'NAME', description: '--description', value: 'value' };
      // Check the name before reading a value, so a typo does not cost a pasted secret.
      checkRequest(CreateSecretRequestSchema.pick({ name: true }), { name }, flagNames);
      const value = await readValue(io, name, opts['valueFile'] as string | undefined);
      const request = checkRequest(
        CreateSecretRequestSchema,
        {
          name,
          value,
          ...(opts['description'] !== undefined ? { description: opts['description'] } : {}),
          ...(opts['personal'] ? { scope: 'User' } : {}),
        },
        flagNames,
      );
      report(ctx, await ctx.client.secrets.create(request), 'Created');
    });

  secret
    .command('list')
    .description('List the secrets visible to you (names and metadata only).')
    .option('--personal', 'only personal secrets')
    .option('--team', 'only team secrets')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const scope = scopeOf(opts);
      const { secrets } = await ctx.client.secrets.list(scope ? { scope } : {});
      const { out } = ctx;
      if (out.structured) return out.json({ secrets });
      if (secrets.length === 0 && out.format === 'pretty')
        return out.line('No secrets. Create one: ambit secret create NAME < value.txt');
      out.table(
        ['NAME', 'SCOPE', 'ID', 'UPDATED', 'LAST USED', 'DESCRIPTION'],
        secrets.map((s) => [
          s.name,
          scopeLabel(s),
          s.id,
          shortTime(s.updated_at),
          s.last_used_at ? shortTime(s.last_used_at) : '-',
          truncate(s.description ?? '', 40),
        ]),
      );
    });

  secret
    .command('get')
    .description("Show a secret's metadata (never its value).")
    .argument('<NAME|id>', 'secret name or id')
    .option('--personal', 'the personal secret of that name')
    .option('--team', 'the team secret of that name')
    .action(async (ref: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const s = await resolveSecret(ctx, ref, scopeOf(opts));
      if (ctx.out.structured) return ctx.out.json(s);
      ctx.out.table(
        ['FIELD', 'VALUE'],
        [
          ['name', s.name],
          ['id', s.id],
          ['scope', scopeLabel(s)],
          ['description', s.description ?? ''],
          ['created', shortTime(s.created_at)],
          ['updated', shortTime(s.updated_at)],
          ['last used', s.last_used_at ? shortTime(s.last_used_at) : '-'],
        ],
      );
    });

  secret
    .command('update')
    .description('Replace a secret’s value (from stdin or --value-file) and/or its description.')
    .argument('<NAME|id>', 'secret name or id')
    .option('--value-file <path>', 'read the new value from this file ("-" for standard input)')
    .option('--description <text>', 'new description')
    .option('--clear-description', 'remove the description')
    .option('--keep-value', 'change only the description; do not read a value')
    .option('--personal', 'the personal secret of that name')
    .option('--team', 'the team secret of that name')
    .action(async (ref: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      if (opts['description'] !== undefined && opts['clearDescription']) {
        throw new UsageError('--description and --clear-description exclude each other');
      }
      if (opts['keepValue'] && opts['valueFile'] !== undefined) {
        throw new UsageError('--keep-value and --value-file exclude each other');
      }
      const target = await resolveSecret(ctx, ref, scopeOf(opts));
      const value = opts['keepValue']
        ? undefined
        : await readValue(io, target.name, opts['valueFile'] as string | undefined);
      const request = checkRequest(
        UpdateSecretRequestSchema,
        {
          ...(value !== undefined ? { value } : {}),
          ...(opts['description'] !== undefined ? { description: opts['description'] } : {}),
          ...(opts['clearDescription'] ? { description: null } : {}),
        },
        { description: '--description', value: 'value' },
      );
      report(ctx, await ctx.client.secrets.update(target.id, request), 'Updated');
    });

  secret
    .command('delete')
    .description('Delete a secret; runs started afterwards no longer receive it.')
    .argument('<NAME|id>', 'secret name or id')
    .option('--personal', 'the personal secret of that name')
    .option('--team', 'the team secret of that name')
    .action(async (ref: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const target = await resolveSecret(ctx, ref, scopeOf(opts));
      const res = await ctx.client.secrets.delete(target.id);
      if (ctx.out.structured) return ctx.out.json(res);
      if (ctx.out.format === 'text') return ctx.out.line(res.id);
      ctx.out.line(`${ctx.out.paint('green', '✓')} Deleted ${scopeLabel(target)} secret ${target.name} (${target.id})`);
    });
}
