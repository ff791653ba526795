import { type Command } from 'commander';
import { z } from 'zod';
import { type AuditEventItem, type ListAuditResponse } from '../../client';
import { MAX_AUDIT_LIMIT } from '../../services/audit/schemas';
import { type CliIO, type CliState, commandContext } from '../context';
import { parseFlags } from '../flags';
import { type Output, shortTime } from '../output';

const text = (example: string) => z.string().trim().min(1, `needs a value, e.g. ${example}`).optional();
const when = (flag: string) =>
  z.iso.datetime({ offset: true, error: `must be an ISO 8601 time, e.g. ${flag} 2026-11-29T18:00:00Z` }).optional();
const limit = z.coerce
  .number({ error: `must be a whole number from 1 to ${MAX_AUDIT_LIMIT}, e.g. --limit 50` })
  .int(`must be a whole number from 1 to ${MAX_AUDIT_LIMIT}`)
  .min(1, `must be a whole number from 1 to ${MAX_AUDIT_LIMIT}`)
  .max(MAX_AUDIT_LIMIT, `must be a whole number from 1 to ${MAX_AUDIT_LIMIT}`)
  .default(50);

const ListFlagsSchema = z.object({
  action: text('--action run.created'),
  actor: text('--actor user_123'),
  targetType: text('--target-type api_key'),
  targetId: text('--target-id key_123'),
  run: text('--run run_123'),
  since: when('--since'),
  until: when('--until'),
  limit,
  cursor: text('--cursor <next_cursor from the previous page>'),
});

function row(e: AuditEventItem): string[] {
  const actor = e.actor.user_id ?? (e.actor.key_id ? `key ${e.actor.key_id}` : e.actor.type);
  return [e.id, shortTime(e.created_at), actor, e.action, `${e.target.type} ${e.target.id}`, e.run_id ?? '-'];
}

function print(out: Output, page: ListAuditResponse): void {
  if (out.format === 'json') return out.json(page);
  if (out.format === 'ndjson') return page.events.forEach((e) => out.json(e));
  if (page.events.length === 0 && out.format === 'pretty') return out.line('No audit events.');
  out.table(['ID', 'TIME', 'ACTOR', 'ACTION', 'TARGET', 'RUN'], page.events.map(row));
  if (page.page_info.has_next_page && out.format === 'pretty') {
    out.line(out.paint('dim', `More: --cursor ${page.page_info.next_cursor ?? ''}`));
  }
}

export function registerAuditCommands(program: Command, io: CliIO, state: CliState): void {
  const audit = program.command('audit').description('The audit log: who did what, when (admin keys).');

  audit
    .command('list', { isDefault: true })
    .description('The team’s audit log, newest first; filters combine.')
    .option('--action <action>', 'e.g. run.created, run.cancelled, api_key.expired, membership.role_changed')
    .option('--actor <user_id>', 'events by this user')
    .option('--target-type <type>', 'run, api_key, environment, membership, secret, …')
    .option('--target-id <id>', 'events about this object')
    .option('--run <run_id>', 'events about this run')
    .option('--since <time>', 'at or after this ISO 8601 time')
    .option('--until <time>', 'before this ISO 8601 time')
    .option('--limit <n>', `events per page, 1 to ${MAX_AUDIT_LIMIT} (default 50)`)
    .option('--cursor <cursor>', 'next_cursor of the previous page')
    .addHelpText(
      'after',
      '\nExamples:\n  $ ambit audit\n  $ ambit audit --action api_key.created --since 2026-11-01T00:00:00Z -o json',
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { client, out } = commandContext(cmd, io, state);
      const f = parseFlags(ListFlagsSchema, opts, {});
      const page = await client.audit.list({
        limit: f.limit,
        ...(f.action ? { action: f.action } : {}),
        ...(f.actor ? { actor_user_id: f.actor } : {}),
        ...(f.targetType ? { target_type: f.targetType } : {}),
        ...(f.targetId ? { target_id: f.targetId } : {}),
        ...(f.run ? { run_id: f.run } : {}),
        ...(f.since ? { since: f.since } : {}),
        ...(f.until ? { until: f.until } : {}),
        ...(f.cursor ? { cursor: f.cursor } : {}),
      });
      print(out, page);
    });

  audit
    .command('run')
    .description('A run’s own trail, oldest first (anyone who may see the run).')
    .argument('<run_id>', 'the run')
    .option('--limit <n>', `events per page, 1 to ${MAX_AUDIT_LIMIT} (default 50)`)
    .option('--cursor <cursor>', 'next_cursor of the previous page')
    .action(async (runId: string, opts: Record<string, unknown>, cmd: Command) => {
      const { client, out } = commandContext(cmd, io, state);
      const f = parseFlags(z.object({ limit, cursor: text('--cursor <next_cursor>') }), opts, {});
      print(out, await client.audit.forRun(runId, { limit: f.limit, ...(f.cursor ? { cursor: f.cursor } : {}) }));
    });
}
