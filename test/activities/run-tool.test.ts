import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { toolCallRowId } from '../../activities/call-model';
import { BUILTIN_TOOLS } from '../../activities/tools/builtin';
import { TOOL_OUTPUT_CAP_BYTES } from '../../src/domain/limits';
import type { Prisma } from '../../src/generated/prisma/client';
import type { EnvironmentRef } from '../../workflows/definitions';
import { DB_KINDS } from '../helpers/database';
import { runActivity, seedRun, startActivityHarness, type ActivityHarness } from './support';

describe.each(DB_KINDS)('runTool on %s', (dbKind) => {
  let h: ActivityHarness;
  let runId: string;
  let environment: EnvironmentRef;
  let workdir: string;

  beforeAll(async () => {
    h = await startActivityHarness({ dbKind });
  });
  afterAll(async () => h?.close());
  beforeEach(async () => {
    runId = await seedRun(h.db, { state: 'INPROGRESS' });
    environment = await runActivity(h.activities, 'prepareEnvironment', { runId });
    workdir = path.join(h.root, 'workspaces', environment.id);
  });

  /** A pending tool call as callModel records it. */
  async function requestTool(name: string, input: Prisma.InputJsonValue): Promise<string> {
    const toolCallId = `call_${randomUUID().slice(0, 8)}`;
    const category = BUILTIN_TOOLS.find((t) => t.name === name)?.category ?? 'integration';
    await h.db.toolCall.create({
      data: { id: toolCallRowId(runId, toolCallId), runId, turn: 1, name, category, input, state: 'pending' },
    });
    return toolCallId;
  }
  const runTool = (toolCallId: string) => runActivity(h.activities, 'runTool', { runId, toolCallId, environment });
  const stored = (toolCallId: string) =>
    h.db.toolCall.findUniqueOrThrow({ where: { id: toolCallRowId(runId, toolCallId) } });
  const output = async (toolCallId: string) => (await stored(toolCallId)).output as Record<string, unknown>;

  test.each([
    ['completed', 0],
    ['failed', 3],
  ] as const)(
    'a call that ended %s is never executed again: the retry returns the stored state',
    async (state, code) => {
      // The log lives outside the workspace, so only a real second execution could add to it.
      const log = path.join(h.root, `executions-${randomUUID()}.log`);
      const toolCallId = await requestTool('run_shell_command', { command: `echo ran >> '${log}'; exit ${code}` });

      expect(await runTool(toolCallId)).toEqual({ state });
      expect(await runTool(toolCallId)).toEqual({ state });

      expect(fs.readFileSync(log, 'utf8')).toBe('ran\n');
      const call = await stored(toolCallId);
      expect(call).toMatchObject({
        state,
        output: { exit_code: code, stdout: '', timed_out: false, truncated: false },
      });
      expect(call.startedAt).toBeInstanceOf(Date);
      expect(call.completedAt).toBeInstanceOf(Date);
      // One tool message in the transcript for the model, one event on the timeline.
      const messages = await h.db.runMessage.findMany({ where: { runId } });
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ key: `tool-result-${toolCallId}`, role: 'tool', turn: 1 });
      expect(messages[0]?.content).toEqual([
        {
          type: 'tool-result',
          toolCallId,
          toolName: 'run_shell_command',
          output: { type: state === 'completed' ? 'json' : 'error-json', value: call.output },
        },
      ]);
      const events = await h.db.runEvent.findMany({ where: { runId, type: 'tool_result' } });
      expect(events.map((e) => e.data)).toEqual([
        expect.objectContaining({ tool_call_id: toolCallId, name: 'run_shell_command', state }),
      ]);
    },
  );

  test.each([
    ['read_file', { path: '../outside' }],
    ['read_file', { path: '/etc/passwd' }],
    ['read_file', { path: 'sub/../../outside' }],
    ['list_files', { path: '..' }],
  ])('%s of %j fails with "outside the workspace" and reads nothing', async (name, input) => {
    fs.writeFileSync(path.join(h.root, 'workspaces', 'outside'), 'TOP-SECRET');
    const toolCallId = await requestTool(name, input);

    expect(await runTool(toolCallId)).toEqual({ state: 'failed' });

    const out = await output(toolCallId);
    expect(out['error']).toContain('outside the workspace');
    expect(JSON.stringify(out)).not.toContain('TOP-SECRET');
    expect(JSON.stringify(out)).not.toContain('root:');
  });

  test('write_file outside the workspace fails and creates nothing', async () => {
    const target = path.join(h.root, 'workspaces', `escaped-${randomUUID()}.txt`);
    const toolCallId = await requestTool('write_file', { path: `../${path.basename(target)}`, content: 'x' });

    expect(await runTool(toolCallId)).toEqual({ state: 'failed' });
    expect((await output(toolCallId))['error']).toContain('outside the workspace');
    expect(fs.existsSync(target)).toBe(false);
  });

  test('a shell command past its timeout fails with timed_out, and everything it started is killed', async () => {
    // The background sleep keeps the output pipe open: the call can only end early if the whole group dies.
    const toolCallId = await requestTool('run_shell_command', {
      command: 'sleep 30 & echo $! > bg.pid; sleep 5',
      timeout_seconds: 1,
    });
    const started = Date.now();

    expect(await runTool(toolCallId)).toEqual({ state: 'failed' });

    // Without the group kill the background sleep would hold the pipe for 30 s.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await output(toolCallId)).toMatchObject({ timed_out: true, exit_code: null });
    const pid = fs.readFileSync(path.join(workdir, 'bg.pid'), 'utf8').trim();
    // Gone, or a zombie waiting for its new parent to reap it: either way no longer running. SIGKILL is delivered
    // asynchronously, so a loaded machine may need a moment.
    const stopped = () => {
      const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
      return stat === '' || / Z /.test(stat);
    };
    for (let i = 0; i < 50 && !stopped(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(stopped()).toBe(true);
  });

  test('output past the cap is cut at 64 KiB and marked truncated', async () => {
    const toolCallId = await requestTool('run_shell_command', { command: "head -c 100000 /dev/zero | tr '\\0' a" });

    expect(await runTool(toolCallId)).toEqual({ state: 'completed' });

    const out = await output(toolCallId);
    expect(out['truncated']).toBe(true);
    expect(out['stdout']).toBe('a'.repeat(TOOL_OUTPUT_CAP_BYTES));
  });

  test('edit_file with an old_string that occurs more than once fails, says how to fix it, and changes nothing', async () => {
    const file = path.join(workdir, 'src', 'a.ts');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'const a = 1;\nconst a = 1;\n');
    const ambiguous = await requestTool('edit_file', {
      path: 'src/a.ts',
      old_string: 'const a = 1;',
      new_string: 'const b = 2;',
    });

    expect(await runTool(ambiguous)).toEqual({ state: 'failed' });
    expect((await output(ambiguous))['error']).toBe(
      'old_string occurs 2 times in src/a.ts; pass replace_all or a longer old_string',
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('const a = 1;\nconst a = 1;\n');

    const all = await requestTool('edit_file', {
      path: 'src/a.ts',
      old_string: 'const a = 1;',
      new_string: 'const b = 2;',
      replace_all: true,
    });
    expect(await runTool(all)).toEqual({ state: 'completed' });
    expect(await output(all)).toEqual({ path: 'src/a.ts', replacements: 2 });
    expect(fs.readFileSync(file, 'utf8')).toBe('const b = 2;\nconst b = 2;\n');
  });

  test('list_files walks folders recursively, listing but not entering .git and node_modules', async () => {
    const files: Record<string, string> = {
      'README.md': '# hi\n',
      'src/index.ts': 'export {};\n',
      'src/lib/util.ts': 'export const x = 1;\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      'node_modules/dep/index.js': '',
    };
    for (const [rel, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(workdir, rel)), { recursive: true });
      fs.writeFileSync(path.join(workdir, rel), content);
    }
    const recursive = await requestTool('list_files', { path: '.', recursive: true });
    const shallow = await requestTool('list_files', { path: 'src' });

    expect(await runTool(recursive)).toEqual({ state: 'completed' });
    expect(await runTool(shallow)).toEqual({ state: 'completed' });

    const byPath = (out: Record<string, unknown>) =>
      [...(out['entries'] as { path: string }[])].sort((a, b) => a.path.localeCompare(b.path));
    expect(byPath(await output(recursive))).toEqual(
      [
        { path: '.git', type: 'directory', size: 0 },
        { path: 'node_modules', type: 'directory', size: 0 },
        { path: 'README.md', type: 'file', size: 5 },
        { path: 'src', type: 'directory', size: 0 },
        { path: 'src/index.ts', type: 'file', size: 11 },
        { path: 'src/lib', type: 'directory', size: 0 },
        { path: 'src/lib/util.ts', type: 'file', size: 20 },
      ].sort((a, b) => a.path.localeCompare(b.path)),
    );
    expect((await output(recursive))['truncated']).toBe(false);
    expect(byPath(await output(shallow)).map((e) => e.path)).toEqual(['src/index.ts', 'src/lib']);
  });

  test('a tool the run was not offered fails as a tool result, naming it', async () => {
    const toolCallId = await requestTool('delete_everything', {});
    expect(await runTool(toolCallId)).toEqual({ state: 'failed' });
    expect(await output(toolCallId)).toEqual({ error: 'unknown tool delete_everything' });
  });
});
