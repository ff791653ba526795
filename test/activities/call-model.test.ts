import { createActivities } from '../../activities';
import { AGENT_INSTRUCTIONS, toolCallRowId } from '../../activities/call-model';
import { createModelGateway } from '../../activities/model/registry';
import { BUILTIN_TOOLS } from '../../activities/tools/builtin';
import { DB_KINDS } from '../helpers/database';
import {
  activityEnvironment,
  COMPATIBLE_MODEL,
  expectRetryable,
  expectUserFailure,
  MODEL_KEY,
  rejectionOf,
  runActivity,
  seedRun,
  startActivityHarness,
  until,
  type ActivityHarness,
} from './support';

interface ChatRequestBody {
  model: string;
  messages: { role: string; content: unknown }[];
  tools: { function: { name: string } }[];
}

describe.each(DB_KINDS)('callModel on %s', (dbKind) => {
  let h: ActivityHarness;
  beforeAll(async () => {
    h = await startActivityHarness({ dbKind });
  });
  afterAll(async () => h?.close());

  const callModel = (runId: string, turn = 1, modelId = COMPATIBLE_MODEL) =>
    runActivity(h.activities, 'callModel', { runId, turn, modelId });

  test('records the model call, the assistant message, the requested tool calls and the usage together', async () => {
    h.models.addScript('record', [
      {
        text: 'Looking around.',
        toolCalls: [
          { name: 'read_file', input: { path: 'a.txt' } },
          { name: 'run_shell_command', input: { command: 'ls -la' } },
        ],
        usage: { input: 120, output: 30 },
      },
    ]);
    const runId = await seedRun(h.db, {
      prompt: 'Inspect the repo [script:record]',
      agentConfig: { base_prompt: 'Always be brief.' },
      seedPrompt: true,
    });

    const turn = await callModel(runId);

    expect(turn).toEqual({
      finishReason: 'tool-calls',
      toolCallIds: ['call_record_0_0', 'call_record_0_1'],
      // Name and input too: the workflow decides from them whether a call waits for approval.
      toolCalls: [
        { id: 'call_record_0_0', name: 'read_file', input: { path: 'a.txt' } },
        { id: 'call_record_0_1', name: 'run_shell_command', input: { command: 'ls -la' } },
      ],
      textPreview: 'Looking around.',
    });
    // The provider saw the instructions with the run's base prompt, the transcript and the run's tools.
    const [request] = h.models.callsFor('record');
    const body = request?.body as ChatRequestBody;
    expect(body.model).toBe('scripted-1');
    expect(body.messages[0]).toEqual({ role: 'system', content: `${AGENT_INSTRUCTIONS}\n\nAlways be brief.` });
    expect(body.messages[1]).toMatchObject({ role: 'user', content: 'Inspect the repo [script:record]' });
    expect(body.tools.map((t) => t.function.name)).toEqual(BUILTIN_TOOLS.map((t) => t.name));

    expect(await h.db.modelCall.findUniqueOrThrow({ where: { id: `${runId}:turn-1` } })).toMatchObject({
      runId,
      turn: 1,
      modelId: COMPATIBLE_MODEL,
      finishReason: 'tool-calls',
      text: 'Looking around.',
      toolCallIds: ['call_record_0_0', 'call_record_0_1'],
      inputTokens: 120,
      outputTokens: 30,
    });
    const messages = await h.db.runMessage.findMany({ where: { runId }, orderBy: { seq: 'asc' } });
    expect(messages.map((m) => [m.seq, m.key, m.role, m.turn])).toEqual([
      [1, 'prompt', 'user', 0],
      [2, 'turn-1-response-0', 'assistant', 1],
    ]);
    expect(messages[1]?.content).toEqual([
      { type: 'text', text: 'Looking around.' },
      expect.objectContaining({ type: 'tool-call', toolCallId: 'call_record_0_0', toolName: 'read_file' }),
      expect.objectContaining({ type: 'tool-call', toolCallId: 'call_record_0_1', toolName: 'run_shell_command' }),
    ]);
    const toolCalls = await h.db.toolCall.findMany({ where: { runId }, orderBy: { id: 'asc' } });
    expect(
      toolCalls.map((c) => ({ id: c.id, name: c.name, category: c.category, input: c.input, state: c.state })),
    ).toEqual([
      {
        id: toolCallRowId(runId, 'call_record_0_0'),
        name: 'read_file',
        category: 'files',
        input: { path: 'a.txt' },
        state: 'pending',
      },
      {
        id: toolCallRowId(runId, 'call_record_0_1'),
        name: 'run_shell_command',
        category: 'command',
        input: { command: 'ls -la' },
        state: 'pending',
      },
    ]);
    expect(await h.db.run.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({
      inputTokens: 120,
      outputTokens: 30,
      totalTokens: 150,
      lastTurn: 1,
    });
    const events = await h.db.runEvent.findMany({ where: { runId }, orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.type, e.key])).toEqual([
      ['message', 'turn-1-text'],
      ['tool_call', 'tool-call-call_record_0_0'],
      ['tool_call', 'tool-call-call_record_0_1'],
      ['usage', 'turn-1-usage'],
    ]);
  });

  test('a second call for the same turn returns the stored answer and makes no request to the provider', async () => {
    h.models.addScript('again', [
      { text: 'Reading.', toolCalls: [{ name: 'list_files', input: {} }], usage: { input: 10, output: 4 } },
    ]);
    const runId = await seedRun(h.db, { prompt: 'Look [script:again]', seedPrompt: true });

    const first = await callModel(runId);
    const second = await callModel(runId);

    expect(second).toEqual(first);
    expect(h.models.callsFor('again')).toHaveLength(1);
    expect(await h.db.modelCall.count({ where: { runId } })).toBe(1);
    expect(await h.db.runMessage.count({ where: { runId } })).toBe(2);
    expect(await h.db.toolCall.count({ where: { runId } })).toBe(1);
    expect(await h.db.run.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ totalTokens: 14 });
    expect(await h.db.runEvent.count({ where: { runId, type: 'usage' } })).toBe(1);
  });

  test('when recording the turn fails, nothing of it is kept, and the retry records it whole', async () => {
    h.models.addScript('atomic', [
      { text: 'Step.', toolCalls: [{ name: 'list_files', input: {} }], usage: { input: 7, output: 3 } },
    ]);
    const runId = await seedRun(h.db, { prompt: 'Go [script:atomic]', seedPrompt: true });
    // A row already holding the tool call's id makes the last writes of the transaction fail.
    const clash = toolCallRowId(runId, 'call_atomic_0_0');
    await h.db.toolCall.create({
      data: { id: clash, runId, turn: 9, name: 'x', category: 'files', input: {}, state: 'completed' },
    });

    expectRetryable(await rejectionOf(callModel(runId)));

    expect(await h.db.modelCall.count({ where: { runId } })).toBe(0);
    expect(await h.db.runMessage.count({ where: { runId } })).toBe(1);
    expect(await h.db.runEvent.count({ where: { runId } })).toBe(0);
    expect(await h.db.run.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ totalTokens: 0, lastTurn: 0 });

    await h.db.toolCall.delete({ where: { id: clash } });
    const turn = await callModel(runId);
    expect(turn.toolCallIds).toEqual(['call_atomic_0_0']);
    expect(await h.db.modelCall.count({ where: { runId } })).toBe(1);
    expect(await h.db.toolCall.findUniqueOrThrow({ where: { id: clash } })).toMatchObject({
      state: 'pending',
      turn: 1,
    });
    expect(await h.db.run.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ totalTokens: 10, lastTurn: 1 });
  });

  test.each([
    ['openai/gpt-scripted', '/v1/responses'],
    ['anthropic/claude-scripted', '/v1/messages'],
    ['openai-compatible/scripted-1', '/v1/chat/completions'],
  ])(
    'a 400 from the provider of %s is a non-retryable ModelRequestRejected and records nothing',
    async (modelId, route) => {
      const script = `rejected-${modelId.split('/')[0]}`;
      h.models.addScript(script, [{ text: 'unreachable' }]);
      const runId = await seedRun(h.db, { prompt: `x [script:${script}]`, seedPrompt: true });
      h.models.failNext({ status: 400, message: 'prompt is too long' });

      const failure = expectUserFailure(
        await rejectionOf(callModel(runId, 1, modelId)),
        'ModelRequestRejected',
        'model_request_rejected',
      );

      expect(failure.message).toContain('HTTP 400');
      expect(failure.message).toContain('prompt is too long');
      expect(h.models.callsFor(script).map((r) => [r.path, r.status])).toEqual([[route, 400]]);
      expect(await h.db.modelCall.count({ where: { runId } })).toBe(0);
      expect(await h.db.runMessage.count({ where: { runId } })).toBe(1);
    },
  );

  describe.each([
    ['streaming', true],
    ['non-streaming', false],
  ])('%s', (_mode, streaming) => {
    let activities: ActivityHarness['activities'];
    beforeAll(() => {
      activities = createActivities({ ...h.deps, settings: { ...h.deps.settings, streaming } });
    });

    test.each([500, 503, 429, 408])(
      'HTTP %i is left to the retry policy, and the retry records the turn',
      async (status) => {
        const script = `transient-${status}-${streaming ? 's' : 'j'}`;
        h.models.addScript(script, [{ toolCalls: [{ name: 'list_files', input: {} }] }]);
        const runId = await seedRun(h.db, { prompt: `x [script:${script}]`, seedPrompt: true });
        h.models.failNext({ status, headers: { 'retry-after': '0' } });
        const input = { runId, turn: 1, modelId: COMPATIBLE_MODEL };

        expectRetryable(await rejectionOf(runActivity(activities, 'callModel', input)));
        expect(await h.db.modelCall.count({ where: { runId } })).toBe(0);

        const turn = await runActivity(activities, 'callModel', input);
        expect(turn.toolCallIds).toEqual([`call_${script}_0_0`]);
        expect(h.models.callsFor(script).map((r) => r.status)).toEqual([status, 200]);
        expect(h.models.callsFor(script).map((r) => r.stream)).toEqual([streaming, streaming]);
        expect(await h.db.modelCall.count({ where: { runId } })).toBe(1);
      },
    );

    test('a 400 is rejected the same way', async () => {
      const script = `rejected-${streaming ? 's' : 'j'}`;
      h.models.addScript(script, [{ text: 'unreachable' }]);
      const runId = await seedRun(h.db, { prompt: `x [script:${script}]`, seedPrompt: true });
      h.models.failNext({ status: 400 });
      expectUserFailure(
        await rejectionOf(runActivity(activities, 'callModel', { runId, turn: 1, modelId: COMPATIBLE_MODEL })),
        'ModelRequestRejected',
        'model_request_rejected',
      );
    });
  });

  test('an unknown provider is an InvalidConfig failure, before any request', async () => {
    const runId = await seedRun(h.db, { seedPrompt: true });
    const before = h.models.requests.length;

    const failure = expectUserFailure(
      await rejectionOf(callModel(runId, 1, 'mistral/large')),
      'InvalidConfig',
      'unknown_model',
    );

    expect(failure.message).toContain('mistral/large');
    expect(h.models.requests.length).toBe(before);
    expect(await h.db.modelCall.count({ where: { runId } })).toBe(0);
  });

  test('a provider the worker has no credentials for is an InvalidConfig failure naming the variable', async () => {
    const compatibleOnly = createActivities({
      ...h.deps,
      models: createModelGateway({
        openai: { models: [] },
        anthropic: { models: [] },
        openaiCompatible: { apiKey: MODEL_KEY, baseURL: h.models.url, models: [] },
        streaming: true,
      }),
    });
    const runId = await seedRun(h.db, { seedPrompt: true });
    const before = h.models.requests.length;

    const failure = expectUserFailure(
      await rejectionOf(
        runActivity(compatibleOnly, 'callModel', { runId, turn: 1, modelId: 'anthropic/claude-scripted' }),
      ),
      'InvalidConfig',
      'unknown_model',
    );

    expect(failure.message).toContain('ANTHROPIC_API_KEY');
    expect(h.models.requests.length).toBe(before);
  });

  test('a run that no longer exists is a non-retryable RunNotFound', async () => {
    const err = await rejectionOf(callModel('run-deleted-long-ago'));
    expect(err).toMatchObject({ type: 'RunNotFound', nonRetryable: true });
  });

  test('cancelling the activity while the provider holds the response aborts the request and records nothing', async () => {
    h.models.addScript('cancel', [{ gate: 'hold', text: 'never delivered' }]);
    const runId = await seedRun(h.db, { prompt: 'slow [script:cancel]', seedPrompt: true });
    const env = activityEnvironment();

    const running = runActivity(h.activities, 'callModel', { runId, turn: 1, modelId: COMPATIBLE_MODEL }, env);
    const held = await h.models.waitForGate('hold');
    expect(held.aborted).toBe(false);
    env.cancel();

    const err = await rejectionOf(running);
    expect(err instanceof Error && 'nonRetryable' in err && err.nonRetryable === true).toBe(false);
    await until(() => held.aborted, 'the model server to see the request aborted');
    expect(held.status).toBeNull();
    expect(await h.db.modelCall.count({ where: { runId } })).toBe(0);
    expect(await h.db.runMessage.count({ where: { runId } })).toBe(1);
  });
});
