import { randomUUID } from 'node:crypto';
import { createActivities } from '../../activities';
import type { Prisma } from '../../src/generated/prisma/client';
import { DB_KINDS } from '../helpers/database';
import {
  COMPATIBLE_MODEL,
  expectUserFailure,
  rejectionOf,
  runActivity,
  seedRun,
  startActivityHarness,
  TASK_QUEUE_PREFIX,
  type ActivityHarness,
} from './support';

const TEAM_MODEL = 'openai-compatible/team-model';
const REQUEST_MODEL = 'openai-compatible/request-model';

describe.each(DB_KINDS)('resolveRunConfig on %s', (dbKind) => {
  let h: ActivityHarness;
  beforeAll(async () => {
    h = await startActivityHarness({ dbKind });
  });
  afterAll(async () => h?.close());

  async function createTeam(defaults: { defaultModelId?: string; basePrompt?: string }): Promise<string> {
    const id = `team-${randomUUID().slice(0, 8)}`;
    await h.db.team.create({ data: { id, name: id, ...defaults } });
    return id;
  }
  const resolve = (runId: string, activities = h.activities) => runActivity(activities, 'resolveRunConfig', { runId });
  const agentConfigOf = async (runId: string) =>
    (await h.db.run.findUniqueOrThrow({ where: { id: runId } })).agentConfig as Record<string, unknown> | null;

  test.each([
    [
      'the request',
      { model_id: REQUEST_MODEL, base_prompt: 'from the request' },
      true,
      REQUEST_MODEL,
      'from the request',
    ],
    ['the team default', {}, true, TEAM_MODEL, 'from the team'],
    ['the platform default', {}, false, COMPATIBLE_MODEL, undefined],
  ])(
    'model and base prompt come from %s when it sets them and nothing above it does',
    async (_source, requestConfig, teamHasDefaults, modelId, basePrompt) => {
      const teamId = await createTeam(
        teamHasDefaults ? { defaultModelId: TEAM_MODEL, basePrompt: 'from the team' } : {},
      );
      const runId = await seedRun(h.db, { teamId, requestConfig, builtinTools: false });

      const plan = await resolve(runId);

      expect(plan).toEqual({
        modelId,
        harness: 'ambit',
        maxTurns: 50,
        runTimeoutMs: 60 * 60_000,
        hostTaskQueue: `${TASK_QUEUE_PREFIX}-host-local`,
        startTurn: 1,
      });
      const run = await h.db.run.findUniqueOrThrow({ where: { id: runId } });
      expect(run.modelId).toBe(modelId);
      const recorded = run.agentConfig as Record<string, unknown>;
      expect(recorded).toMatchObject({
        model_id: modelId,
        harness: { type: 'ambit' },
        max_turns: 50,
        run_timeout_minutes: 60,
        idle_timeout_minutes: 10,
        worker_host: 'local',
      });
      expect(recorded['base_prompt']).toBe(basePrompt);
    },
  );

  test('request limits override the defaults', async () => {
    const runId = await seedRun(h.db, { requestConfig: { max_turns: 7, run_timeout_minutes: 0.5 } });
    const plan = await resolve(runId);
    expect(plan).toMatchObject({ maxTurns: 7, runTimeoutMs: 30_000 });
    expect(await agentConfigOf(runId)).toMatchObject({ max_turns: 7, run_timeout_minutes: 0.5 });
  });

  test('no model anywhere is an InvalidConfig failure naming every place one could be set', async () => {
    const noDefault = createActivities({ ...h.deps, settings: { ...h.deps.settings, defaultModelId: undefined } });
    const teamId = await createTeam({});
    const runId = await seedRun(h.db, { teamId });

    const failure = expectUserFailure(await rejectionOf(resolve(runId, noDefault)), 'InvalidConfig', 'unknown_model');

    expect(failure.message).toContain('config.model_id');
    expect(failure.message).toContain('AMBIT_DEFAULT_MODEL');
    expect(await agentConfigOf(runId)).toBeNull();
  });

  test('a model of an unknown provider is an InvalidConfig failure before anything is recorded', async () => {
    const runId = await seedRun(h.db, { requestConfig: { model_id: 'mistral/large' } });
    const failure = expectUserFailure(await rejectionOf(resolve(runId)), 'InvalidConfig', 'unknown_model');
    expect(failure.message).toContain('mistral/large');
    expect(await agentConfigOf(runId)).toBeNull();
    expect(await h.db.runMessage.count({ where: { runId } })).toBe(0);
  });

  test('harness {type: "oz"} runs on the built-in agent', async () => {
    const runId = await seedRun(h.db, { requestConfig: { harness: { type: 'oz' } } });
    const plan = await resolve(runId);
    expect(plan.harness).toBe('ambit');
    expect(plan.modelId).toBe(COMPATIBLE_MODEL);
    expect((await agentConfigOf(runId))?.['harness']).toEqual({ type: 'ambit' });
  });

  test('an external harness keeps its type and its own model', async () => {
    const runId = await seedRun(h.db, {
      requestConfig: { harness: { type: 'claude', model_id: 'anthropic/claude-scripted' } },
    });
    const plan = await resolve(runId);
    expect(plan).toMatchObject({ harness: 'claude', modelId: 'anthropic/claude-scripted' });
    expect((await agentConfigOf(runId))?.['harness']).toEqual({
      type: 'claude',
      model_id: 'anthropic/claude-scripted',
    });
  });

  test('an MCP server given by warp_id is an InvalidConfig failure naming the field', async () => {
    const runId = await seedRun(h.db, {
      requestConfig: {
        mcp_servers: { files: { command: 'npx', args: ['server'] }, github: { warp_id: 'mcp_123' } },
      },
    });

    const failure = expectUserFailure(await rejectionOf(resolve(runId)), 'InvalidConfig', 'invalid_config');

    expect(failure.message).toMatch(/^config\.mcp_servers\.github: warp_id/);
    expect(failure.message).toContain('{command, args, env}');
    expect(await agentConfigOf(runId)).toBeNull();
  });

  test('a stored request config that no longer validates fails naming the field', async () => {
    const runId = await seedRun(h.db, { requestConfig: { max_turns: 0 } });
    const failure = expectUserFailure(await rejectionOf(resolve(runId)), 'InvalidConfig', 'invalid_config');
    expect(failure.message).toContain('config.max_turns');
  });

  test.each([
    ['absent', 'local', undefined],
    ['"warp"', 'local', 'warp'],
    ['"default"', 'local', 'default'],
    ['"edge-1"', 'edge-1', 'edge-1'],
  ])('worker_host %s runs on the task queue of host %s', async (_label, hostId, workerHost) => {
    const requestConfig: Prisma.InputJsonValue = workerHost ? { worker_host: workerHost } : {};
    const runId = await seedRun(h.db, { requestConfig });

    const plan = await resolve(runId);

    expect(plan.hostTaskQueue).toBe(`${TASK_QUEUE_PREFIX}-host-${hostId}`);
    expect((await agentConfigOf(runId))?.['worker_host']).toBe(hostId);
  });

  test('resolving twice seeds the prompt once and returns the same plan', async () => {
    const runId = await seedRun(h.db, { prompt: 'Fix the build' });

    const first = await resolve(runId);
    const second = await resolve(runId);

    expect(second).toEqual(first);
    const messages = await h.db.runMessage.findMany({ where: { runId } });
    expect(messages.map((m) => ({ key: m.key, seq: m.seq, turn: m.turn, role: m.role, content: m.content }))).toEqual([
      { key: 'prompt', seq: 1, turn: 0, role: 'user', content: 'Fix the build' },
    ]);
    const events = await h.db.runEvent.findMany({ where: { runId } });
    expect(events.map((e) => [e.type, e.key, e.data])).toEqual([
      ['message', 'message-prompt', { role: 'user', turn: 0, text: 'Fix the build' }],
    ]);
  });

  test('a follow-up execution starts after the last recorded turn', async () => {
    const runId = await seedRun(h.db);
    await h.db.run.update({ where: { id: runId }, data: { lastTurn: 12 } });
    expect((await resolve(runId)).startTurn).toBe(13);
  });

  test('a run that no longer exists is a non-retryable RunNotFound', async () => {
    expect(await rejectionOf(resolve('run-missing'))).toMatchObject({ type: 'RunNotFound', nonRetryable: true });
  });
});
