/** `ambit mcp create|list|get|update|delete`: MCP servers as named team objects, used by runs with {ref}. */
import type { Command } from 'commander';
import type { ConfigValue, McpServerItem, McpServerSpec } from '../../domain';
import { type CliIO, type CliState, commandContext } from '../context';
import { UsageError } from '../errors';
import { truncate } from '../output';
import { collect, printList, printObject, reportDeleted, reportWrite, resolveRef } from './team';

/** `KEY=VALUE` or `KEY=secret:NAME` (a reference to a team secret, resolved only where the server starts). */
export function parseValues(values: readonly string[], flag: string): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} needs KEY=VALUE or KEY=secret:NAME (got "${v}")`);
    const key = v.slice(0, eq);
    const value = v.slice(eq + 1);
    if (key in out) throw new UsageError(`${flag} ${key} is given twice`);
    out[key] = value.startsWith('secret:') ? { secret: value.slice('secret:'.length) } : value;
  }
  return out;
}

function specOf(opts: Record<string, unknown>): McpServerSpec | undefined {
  const command = opts['command'];
  const url = opts['url'];
  const args = (opts['arg'] as string[] | undefined) ?? [];
  const env = (opts['env'] as string[] | undefined) ?? [];
  const headers = (opts['header'] as string[] | undefined) ?? [];
  if (typeof command === 'string' && typeof url === 'string')
    throw new UsageError('--command and --url conflict: give one');
  if (typeof command === 'string') {
    if (headers.length > 0) throw new UsageError('--header is for --url servers; use --env with --command');
    return { command, ...(args.length ? { args } : {}), ...(env.length ? { env: parseValues(env, '--env') } : {}) };
  }
  if (typeof url === 'string') {
    if (args.length > 0 || env.length > 0) throw new UsageError('--arg and --env are for --command servers');
    return { url, ...(headers.length ? { headers: parseValues(headers, '--header') } : {}) };
  }
  if (args.length || env.length || headers.length)
    throw new UsageError('give --command or --url with --arg/--env/--header');
  return undefined;
}

function describe(spec: McpServerSpec): string {
  return 'command' in spec ? [spec.command, ...(spec.args ?? [])].join(' ') : spec.url;
}

export function registerMcpCommands(program: Command, io: CliIO, state: CliState): void {
  const mcp = program
    .command('mcp')
    .description('MCP servers as team objects (a stdio command or a URL); runs use them with {"ref": "<name>"}.')
    .addHelpText(
      'after',
      `
Examples:
  $ ambit mcp create --name github --command npx --arg -y --arg @modelcontextprotocol/server-github \\
      --env GITHUB_PERSONAL_ACCESS_TOKEN=secret:GITHUB_TOKEN
  $ ambit mcp create --name docs --url https://mcp.example.com/mcp --header Authorization=secret:DOCS_TOKEN
  $ ambit run "Summarize open issues" --mcp 'gh={"ref":"github"}'`,
    );
  const find = (ctx: ReturnType<typeof commandContext>, ref: string) =>
    resolveRef<McpServerItem>(ctx.client.mcpServers, ref, 'mcp', 'MCP server', 'ambit mcp list');
  const specOptions = (c: Command) =>
    c
      .option('--command <command>', 'stdio server: the command, started inside the run’s environment')
      .option('--arg <arg>', 'an argument of --command (repeatable)', collect)
      .option('--env <KEY=VALUE|KEY=secret:NAME>', 'a variable of --command (repeatable)', collect)
      .option('--url <url>', 'streamable HTTP server URL')
      .option('--header <KEY=VALUE|KEY=secret:NAME>', 'a header sent to --url (repeatable)', collect);

  specOptions(
    mcp
      .command('create')
      .description('Create an MCP server object (team-wide unless --personal; team objects need an admin key).')
      .requiredOption('--name <name>', 'the name runs refer to it by')
      .option('--description <text>', 'what it is for')
      .option('--personal', 'visible only to you (and team admins)'),
  ).action(async (opts: Record<string, unknown>, cmd: Command) => {
    const ctx = commandContext(cmd, io, state);
    const spec = specOf(opts);
    if (!spec) throw new UsageError('--command or --url is required');
    const created = await ctx.client.mcpServers.create({
      name: String(opts['name']),
      spec,
      ...(typeof opts['description'] === 'string' ? { description: opts['description'] } : {}),
      ...(opts['personal'] ? { scope: 'User' as const } : {}),
    });
    reportWrite(ctx, created, 'Created', 'MCP server');
  });

  mcp
    .command('list')
    .description('List MCP server objects.')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      printList(
        ctx,
        await ctx.client.mcpServers.list(),
        'mcp_servers',
        'No MCP servers. Create one with: ambit mcp create',
        [['SERVER', (s) => truncate(describe(s.spec), 50)]],
      );
    });

  mcp
    .command('get')
    .description('Show one MCP server object (secret references by name only).')
    .argument('<id|name>', 'MCP server id or name')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const s = await find(ctx, ref);
      const values = 'command' in s.spec ? (s.spec.env ?? {}) : (s.spec.headers ?? {});
      printObject(ctx, 'MCP server', s, [
        ['Name', s.name],
        ['Description', s.description ?? undefined],
        ['command' in s.spec ? 'Command' : 'URL', describe(s.spec)],
        ...Object.entries(values).map(([k, v]): [string, string] => [
          'command' in s.spec ? 'Env' : 'Header',
          `${k}=${typeof v === 'string' ? v : `secret:${v.secret}`}`,
        ]),
      ]);
    });

  specOptions(
    mcp
      .command('update')
      .description('Change an MCP server object; --command or --url replaces its whole spec.')
      .argument('<id|name>', 'MCP server id or name')
      .option('--name <name>', 'rename it')
      .option('--description <text>', 'new description'),
  ).action(async (ref: string, opts: Record<string, unknown>, cmd: Command) => {
    const ctx = commandContext(cmd, io, state);
    const spec = specOf(opts);
    const request = {
      ...(typeof opts['name'] === 'string' ? { name: opts['name'] } : {}),
      ...(typeof opts['description'] === 'string' ? { description: opts['description'] } : {}),
      ...(spec ? { spec } : {}),
    };
    if (Object.keys(request).length === 0)
      throw new UsageError('nothing to change: give --name, --description, --command or --url');
    const target = await find(ctx, ref);
    reportWrite(ctx, await ctx.client.mcpServers.update(target.id, request), 'Updated', 'MCP server');
  });

  mcp
    .command('delete')
    .description('Delete an MCP server object.')
    .argument('<id|name>', 'MCP server id or name')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const target = await find(ctx, ref);
      await ctx.client.mcpServers.delete(target.id);
      reportDeleted(ctx, target, 'MCP server');
    });
}
