/** `ambit prompt create|list|get|update|delete`: saved prompt templates with parameters, versioned. */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { PromptItem, PromptParameter, UpdatePromptRequest } from '../../domain';
import { type CliIO, type CliState, commandContext } from '../context';
import { UsageError } from '../errors';
import { truncate } from '../output';
import { collect, printList, printObject, reportDeleted, reportWrite, resolveRef } from './team';

/** `--param-def name`, `name=default` or `name?` (optional, no default). */
export function parseParamDefs(values: readonly string[]): PromptParameter[] {
  return values.map((v) => {
    const eq = v.indexOf('=');
    const name = (eq >= 0 ? v.slice(0, eq) : v).trim();
    if (name.endsWith('?')) return { name: name.slice(0, -1), required: false };
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) {
      throw new UsageError(`--param-def "${v}": a parameter is name, name=default or name? (letters, digits, _)`);
    }
    return eq >= 0 ? { name, default: v.slice(eq + 1) } : { name };
  });
}

/** `--param k=v` values of `ambit run --saved-prompt`. */
export function parseParams(values: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param needs KEY=VALUE, e.g. --param file=src/auth.ts (got "${v}")`);
    const key = v.slice(0, eq);
    if (key in params) throw new UsageError(`--param ${key} is given twice; give each parameter once`);
    params[key] = v.slice(eq + 1);
  }
  return params;
}

function templateOf(opts: Record<string, unknown>): string | undefined {
  const text = opts['template'];
  const file = opts['templateFile'];
  if (typeof text === 'string' && typeof file === 'string') {
    throw new UsageError('--template and --template-file conflict: give one of them');
  }
  if (typeof file === 'string') {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--template-file ${file}: ${(err as Error).message}`);
    }
  }
  return typeof text === 'string' ? text : undefined;
}

export function registerPromptCommands(program: Command, io: CliIO, state: CliState): void {
  const prompt = program
    .command('prompt')
    .description('Saved prompts: named templates with {{parameters}}; an update adds a version.')
    .addHelpText(
      'after',
      `
Examples:
  $ ambit prompt create --name fix-tests --template "Fix the failing tests in {{dir}}." --param-def dir
  $ ambit prompt update fix-tests --template-file prompts/fix-tests.md --param-def dir --param-def style=minimal
  $ ambit run --saved-prompt fix-tests --param dir=src/auth --follow
  $ ambit prompt get fix-tests --version 1`,
    );
  const find = (ctx: ReturnType<typeof commandContext>, ref: string) =>
    resolveRef<PromptItem>(ctx.client.prompts, ref, 'prm', 'saved prompt', 'ambit prompt list');

  prompt
    .command('create')
    .description('Save a prompt template (version 1). Every {{placeholder}} must be declared with --param-def.')
    .requiredOption('--name <name>', 'unique among the team’s (or your personal) prompts')
    .option('--template <text>', 'the template text')
    .option('--template-file <path>', 'read the template from a file')
    .option('--param-def <name[=default]>', 'declare a parameter; name? makes it optional (repeatable)', collect)
    .option('--description <text>', 'what it is for')
    .option('--personal', 'visible only to you (and team admins)')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const template = templateOf(opts);
      if (template === undefined) throw new UsageError('--template or --template-file is required');
      const created = await ctx.client.prompts.create({
        name: String(opts['name']),
        template,
        parameters: parseParamDefs((opts['paramDef'] as string[] | undefined) ?? []),
        ...(typeof opts['description'] === 'string' ? { description: opts['description'] } : {}),
        ...(opts['personal'] ? { scope: 'User' as const } : {}),
      });
      reportWrite(ctx, created, 'Saved', 'prompt');
    });

  prompt
    .command('list')
    .description('List saved prompts with their latest version.')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      printList(
        ctx,
        await ctx.client.prompts.list(),
        'prompts',
        'No saved prompts. Create one with: ambit prompt create',
        [
          ['VERSION', (p) => String(p.latest_version)],
          ['PARAMETERS', (p) => p.version.parameters.map((x) => x.name).join(', ')],
          ['TEMPLATE', (p) => truncate(p.version.template.replace(/\s+/g, ' '), 40)],
        ],
      );
    });

  prompt
    .command('get')
    .description('Show a saved prompt (its latest version, or --version n).')
    .argument('<id|name>', 'saved prompt id or name')
    .option('--version <n>', 'a given version')
    .action(async (ref: string, opts: { version?: string }, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      let p = await find(ctx, ref);
      if (opts.version !== undefined) {
        const n = Number(opts.version);
        if (!Number.isInteger(n) || n < 1) throw new UsageError('--version must be a whole number from 1');
        p = await ctx.client.prompts.getVersion(p.id, n);
      }
      printObject(ctx, 'Saved prompt', p, [
        ['Name', p.name],
        ['Description', p.description ?? undefined],
        ['Version', `${p.version.version} of ${p.latest_version}`],
        ...p.version.parameters.map((x): [string, string] => [
          'Parameter',
          `${x.name}${x.default !== undefined ? ` (default ${JSON.stringify(x.default)})` : x.required === false ? ' (optional)' : ''}`,
        ]),
        ['Template', p.version.template],
      ]);
    });

  prompt
    .command('update')
    .description('Change a saved prompt: a new template or parameters adds a version; --name/--description do not.')
    .argument('<id|name>', 'saved prompt id or name')
    .option('--name <name>', 'rename it')
    .option('--description <text>', 'new description')
    .option('--template <text>', 'new template text')
    .option('--template-file <path>', 'read the new template from a file')
    .option('--param-def <name[=default]>', 'replaces the parameters (repeatable)', collect)
    .action(async (ref: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const template = templateOf(opts);
      const defs = opts['paramDef'] as string[] | undefined;
      const request: UpdatePromptRequest = {
        ...(typeof opts['name'] === 'string' ? { name: opts['name'] } : {}),
        ...(typeof opts['description'] === 'string' ? { description: opts['description'] } : {}),
        ...(template !== undefined ? { template } : {}),
        ...(defs ? { parameters: parseParamDefs(defs) } : {}),
      };
      if (Object.keys(request).length === 0) {
        throw new UsageError(
          'nothing to change: give --name, --description, --template, --template-file or --param-def',
        );
      }
      const target = await find(ctx, ref);
      const updated = await ctx.client.prompts.update(target.id, request);
      reportWrite(ctx, updated, `Updated (version ${updated.latest_version})`, 'prompt');
    });

  prompt
    .command('delete')
    .description('Delete a saved prompt and its versions (runs keep the text they used).')
    .argument('<id|name>', 'saved prompt id or name')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const target = await find(ctx, ref);
      await ctx.client.prompts.delete(target.id);
      reportDeleted(ctx, target, 'prompt');
    });
}
