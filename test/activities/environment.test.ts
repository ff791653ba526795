import fs from 'node:fs';
import path from 'node:path';
import { BUILTIN_TOOLS } from '../../activities/tools/builtin';
import { runActivity, seedRun, startActivityHarness, type ActivityHarness } from './support';

// The environment activities touch the database only to find the run, so one kind is enough here.
describe('environment activities (workspace provider)', () => {
  let h: ActivityHarness;
  beforeAll(async () => {
    h = await startActivityHarness({ dbKind: 'pglite' });
  });
  afterAll(async () => h?.close());

  const workdirOf = (id: string) => path.join(h.root, 'workspaces', id);

  test('preparing twice yields the same workspace, with what the first attempt left in it', async () => {
    const runId = await seedRun(h.db);

    const first = await runActivity(h.activities, 'prepareEnvironment', { runId });
    fs.writeFileSync(path.join(workdirOf(first.id), 'progress.txt'), 'half done');
    const second = await runActivity(h.activities, 'prepareEnvironment', { runId });

    expect(first).toEqual({ provider: 'workspace', id: runId });
    expect(second).toEqual(first);
    expect(fs.readFileSync(path.join(workdirOf(second.id), 'progress.txt'), 'utf8')).toBe('half done');
  });

  test('cleanup removes the workspace, and succeeds again when it is already gone', async () => {
    const runId = await seedRun(h.db);
    const environment = await runActivity(h.activities, 'prepareEnvironment', { runId });
    fs.mkdirSync(path.join(workdirOf(runId), 'deep', 'tree'), { recursive: true });
    fs.writeFileSync(path.join(workdirOf(runId), 'deep', 'tree', 'f.txt'), 'x');

    await runActivity(h.activities, 'cleanupEnvironment', { runId, environment });
    expect(fs.existsSync(workdirOf(runId))).toBe(false);

    await expect(runActivity(h.activities, 'cleanupEnvironment', { runId, environment })).resolves.toBeUndefined();
  });

  test('cleanup of an environment that was never prepared succeeds', async () => {
    const runId = await seedRun(h.db);
    await expect(
      runActivity(h.activities, 'cleanupEnvironment', { runId, environment: { provider: 'unknown', id: runId } }),
    ).resolves.toBeUndefined();
  });

  test('discoverTools records the built-in tools on the run for every later model call', async () => {
    const runId = await seedRun(h.db, { builtinTools: false });
    const environment = await runActivity(h.activities, 'prepareEnvironment', { runId });

    const found = await runActivity(h.activities, 'discoverTools', { runId, environment });

    expect(found).toEqual({ count: BUILTIN_TOOLS.length });
    const run = await h.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect((run.toolDefinitions as { name: string }[]).map((t) => t.name)).toEqual([
      'run_shell_command',
      'read_file',
      'write_file',
      'edit_file',
      'list_files',
    ]);
  });
});
