import { type Command } from 'commander';
import { type RunItem } from '../../client';
import { type CliIO, type CliState, type CommandContext, commandContext } from '../context';
import { z } from 'zod';
import { ListFlagsSchema, parseFlags, RunIdSchema } from '../flags';

import { shortTime, truncate } from '../output';
import { flattenConversation, renderEntry } from '../transcript';
import { registerWatchCommand } from './watch';

const FollowupFlagsSchema = RunIdSchema.extend({
  message: z.string().trim().min(1, 'the message must not be empty'),
  mode: z.enum(['normal', 'plan', 'orchestrate']).optional(),
});

const ApprovalFlagsSchema = RunIdSchema.extend({
  action: z.string().trim().min(1, 'must not be empty; omit it to decide the one pending action').optional(),
  comment: z.string().trim().min(1, 'must not be empty; omit it for no comment').optional(),
});

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerRunsCommands(program: Command, io: CliIO, state: CliState): void {
  const runs = program
    .command('runs')
    .description('List, inspect, cancel, steer and approve runs.')
    .addHelpText(
      'after',
      `
Examples:
  $ ambit runs list --state FAILED --state ERROR --limit 50
  $ ambit runs get run_123 -o json
  $ ambit runs conversation run_123
  $ ambit runs cancel run_123
  $ ambit runs approve run_123
  $ ambit runs interrupt run_123`,
    );

  runs
    .command('list')
    .description('List runs, most recently updated first.')
    .option('-s, --state <state>', 'only runs in this state; repeat or comma-separate for several', collect)
    .option('--source <source>', 'only runs started from this source (API, CLI, SLACK, SCHEDULED_AGENT, ...)')
    .option('-l, --limit <n>', 'how many runs, 1 to 500', '20')
    .option('-q, --query <text>', 'fuzzy search over title and prompt')
    .option('--name <name>', 'only runs whose config name is this')
    .option('--model <model_id>', 'only runs that used this model')
    .option('--cursor <cursor>', 'continue from the next_cursor of a previous page')
    .option('--sort-by <field>', 'updated_at (default), created_at, title or agent')
    .option('--sort-order <order>', 'desc (default) or asc')
    .addHelpText(
      'after',
      `
Examples:
  $ ambit runs list
  $ ambit runs list --state FAILED,ERROR --source SCHEDULED_AGENT
  $ ambit runs list -q "auth" --limit 5 -o ndjson`,
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      await listRuns(commandContext(cmd, io, state), opts);
    });

  runs
    .command('get')
    .description('Show one run.')
    .argument('<id>', 'run id')
    .addHelpText('after', '\nExample:\n  $ ambit runs get run_123 -o json')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const run = await ctx.client.runs.get(parseFlags(RunIdSchema, { id }, { id: '<id>' }).id);
      printRun(ctx, run);
    });

  runs
    .command('cancel')
    .description('Cancel a queued or running run.')
    .argument('<id>', 'run id')
    .addHelpText('after', '\nExample:\n  $ ambit runs cancel run_123')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const runId = await ctx.client.runs.cancel(parseFlags(RunIdSchema, { id }, { id: '<id>' }).id);
      const { out } = ctx;
      if (out.structured) out.json({ run_id: runId, cancelled: true });
      else if (out.format === 'text') out.line(runId);
      else out.line(`${out.paint('yellow', '■')} Cancelled run ${out.paint('bold', runId)}`);
    });

  registerWatchCommand(runs, io, state);

  runs
    .command('followup')
    .description('Send a message to a run: a running agent sees it at its next step; an ended run runs again.')
    .argument('<id>', 'run id')
    .argument('<message>', 'what to tell the agent')
    .option('--mode <mode>', 'normal (default), plan or orchestrate')
    .addHelpText('after', '\nExample:\n  $ ambit runs followup run_123 "Also update the changelog"')
    .action(async (id: string, message: string, opts: { mode?: string }, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const f = parseFlags(
        FollowupFlagsSchema,
        { id, message, mode: opts.mode },
        { id: '<id>', message: '<message>', mode: '--mode' },
      );
      const result = await ctx.client.runs.followup(f.id, { message: f.message, ...(f.mode ? { mode: f.mode } : {}) });
      const { out } = ctx;
      if (out.structured) out.json(result);
      else if (out.format === 'text') out.line(`${result.run_id} ${result.delivery}`);
      else if (result.delivery === 'delivered')
        out.line(
          `${out.paint('green', '✓')} Delivered to ${out.paint('bold', result.run_id)}; the agent sees it at its next step`,
        );
      else
        out.line(
          `${out.paint('green', '✓')} ${out.paint('bold', result.run_id)} runs again (execution ${result.execution})`,
        );
    });

  runs
    .command('interrupt')
    .description("Stop a run's current step; it waits BLOCKED until a follow-up tells it what to do next.")
    .argument('<id>', 'run id')
    .addHelpText(
      'after',
      '\nExample:\n  $ ambit runs interrupt run_123\n  $ ambit runs followup run_123 "Stop; fix the tests first"',
    )
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const result = await ctx.client.runs.interrupt(parseFlags(RunIdSchema, { id }, { id: '<id>' }).id);
      const { out } = ctx;
      if (out.structured) out.json(result);
      else if (out.format === 'text') out.line(`${result.run_id} interrupted`);
      else
        out.line(
          `${out.paint('yellow', '■')} Interrupted ${out.paint('bold', result.run_id)} at turn ${result.turn}; send a follow-up to continue`,
        );
    });

  for (const decision of ['approve', 'deny'] as const) {
    runs
      .command(decision)
      .description(
        decision === 'approve'
          ? 'Approve the action a BLOCKED run waits for; the tool call runs and the agent continues.'
          : 'Deny the action a BLOCKED run waits for; the tool call is skipped and the agent reads the denial.',
      )
      .argument('<id>', 'run id')
      .option('--action <id>', 'the pending action id (default: the one pending action)')
      .option('--comment <text>', 'a note recorded with the decision (the agent reads it on a denial)')
      .addHelpText(
        'after',
        `\nExample:\n  $ ambit runs ${decision} run_123${decision === 'deny' ? ' --comment "use a branch instead"' : ''}`,
      )
      .action(async (id: string, opts: { action?: string; comment?: string }, cmd: Command) => {
        const ctx = commandContext(cmd, io, state);
        const f = parseFlags(
          ApprovalFlagsSchema,
          { id, action: opts.action, comment: opts.comment },
          { id: '<id>', action: '--action', comment: '--comment' },
        );
        const result = await ctx.client.runs.decideApproval(f.id, {
          decision,
          ...(f.action ? { action_id: f.action } : {}),
          ...(f.comment ? { comment: f.comment } : {}),
        });
        const { out } = ctx;
        if (out.structured) out.json(result);
        else if (out.format === 'text') out.line(`${result.run_id} ${result.action_id} ${result.decision}`);
        else
          out.line(
            `${out.paint(decision === 'approve' ? 'green' : 'yellow', decision === 'approve' ? '✓' : '■')} ${
              decision === 'approve' ? 'Approved' : 'Denied'
            } action ${out.paint('bold', result.action_id)} of ${out.paint('bold', result.run_id)}`,
          );
      });
  }

  runs
    .command('conversation')
    .description("Print a run's transcript: messages, tool calls and their results.")
    .argument('<id>', 'run id')
    .addHelpText('after', '\nExample:\n  $ ambit runs conversation run_123 -o ndjson')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const conversation = await ctx.client.runs.conversation(parseFlags(RunIdSchema, { id }, { id: '<id>' }).id);
      const { out } = ctx;
      if (out.format === 'json') {
        out.json(conversation);
        return;
      }
      for (const entry of flattenConversation(conversation)) {
        if (out.format === 'ndjson') {
          const { key: _key, ...event } = entry;
          out.json(event);
        } else {
          const text = renderEntry(entry, out, { full: true });
          if (text !== undefined) out.line(text);
        }
      }
    });
}

async function listRuns(ctx: CommandContext, raw: Record<string, unknown>): Promise<void> {
  const f = parseFlags(ListFlagsSchema, raw, { query: '-q/--query', sortBy: '--sort-by', sortOrder: '--sort-order' });
  const page = await ctx.client.runs.list({
    limit: f.limit,
    ...(f.state.length > 0 ? { state: f.state } : {}),
    ...(f.source ? { source: f.source } : {}),
    ...(f.query ? { q: f.query } : {}),
    ...(f.name ? { name: f.name } : {}),
    ...(f.model ? { model_id: f.model } : {}),
    ...(f.cursor ? { cursor: f.cursor } : {}),
    ...(f.sortBy ? { sort_by: f.sortBy } : {}),
    ...(f.sortOrder ? { sort_order: f.sortOrder } : {}),
  });
  const { out } = ctx;
  if (out.format === 'json') return out.json(page);
  if (out.format === 'ndjson') {
    for (const run of page.runs) out.json(run);
    return;
  }
  if (page.runs.length === 0 && out.format === 'pretty') {
    out.line(out.paint('dim', 'No runs match. Start one with: ambit run "<prompt>"'));
    return;
  }
  out.table(
    ['RUN ID', 'STATE', 'TITLE', 'SOURCE', 'UPDATED'],
    page.runs.map((r) => [
      r.run_id,
      out.state(r.state),
      out.format === 'text' ? r.title : truncate(r.title, 48),
      r.source ?? '',
      shortTime(r.updated_at),
    ]),
  );
  if (out.format === 'pretty' && page.page_info.has_next_page && page.page_info.next_cursor) {
    out.line(out.paint('dim', `More runs: ambit runs list --cursor ${page.page_info.next_cursor}`));
  }
}

function printRun(ctx: CommandContext, run: RunItem): void {
  const { out } = ctx;
  if (out.structured) return out.json(run);
  const config = run.agent_config ?? {};
  const fields: [string, string | undefined][] = [
    ['Title', run.title],
    ['State', out.state(run.state)],
    ['Status', run.status_message?.message],
    ['Prompt', out.format === 'pretty' ? truncate(run.prompt, 200) : run.prompt.replace(/\s+/g, ' ')],
    ['Model', typeof config['model_id'] === 'string' ? config['model_id'] : undefined],
    ['Name', typeof config['name'] === 'string' ? config['name'] : undefined],
    ['Source', run.source],
    ['Created', shortTime(run.created_at)],
    ['Started', shortTime(run.started_at)],
    ['Updated', shortTime(run.updated_at)],
    ['Run time', run.run_time],
    ['Link', run.session_link],
    ...(run.artifacts ?? []).map((a): [string, string] => [
      'Artifact',
      a.artifact_type === 'PULL_REQUEST'
        ? `PULL_REQUEST ${a.data.url}`
        : a.artifact_type === 'FILE'
          ? `FILE ${a.data.filepath}`
          : a.artifact_type,
    ]),
  ];
  const shown = fields.filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '');
  if (out.format === 'text') {
    out.line(`Run: ${run.run_id}`);
    for (const [k, v] of shown) out.line(`${k}: ${v}`);
    return;
  }
  out.line(`${out.paint('bold', 'Run')} ${out.paint('bold', run.run_id)}`);
  for (const [k, v] of shown) out.line(`  ${out.paint('dim', k.padEnd(9))} ${v}`);
}
