import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

describe('follow-ups', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m' },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
  });

  test('reach the running agent at its next step, and start a new execution of an ended run', async () => {
    models.addScript('fu', [
      { gate: 'fu-gate', toolCalls: [{ name: 'list_files', input: {} }] },
      { text: 'first answer' },
      { text: 'second answer' },
    ]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'start [script:fu]' });
    const runId: string = created.body.run_id;
    await models.waitForGate('fu-gate');

    // While the model call is in flight: accepted now, seen at the next model call.
    const live = await platform.request('POST', `/agent/runs/${runId}/followups`, {
      message: 'Also mention the time.',
    });
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ run_id: runId, delivery: 'delivered', execution: 1 });
    models.release('fu-gate');
    const first = await platform.waitForState(runId, TERMINAL);
    expect(first.state).toBe('SUCCEEDED');
    expect(first.status_message.message).toBe('first answer');
    const calls = models.callsFor('fu');
    expect(JSON.stringify(calls[0]?.body)).not.toContain('Also mention the time.');
    expect(JSON.stringify(calls[1]?.body)).toContain('Also mention the time.');

    // To the ended run: the same run id runs again, with the whole transcript.
    const again = await platform.request('POST', `/agent/runs/${runId}/followups`, { message: 'One more thing.' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ run_id: runId, delivery: 'restarted', execution: 2 });
    const second = await platform.waitForState(runId, TERMINAL);
    expect(second.state).toBe('SUCCEEDED');
    expect(second.status_message.message).toBe('second answer');
    const third = JSON.stringify(models.callsFor('fu')[2]?.body);
    for (const text of ['start [script:fu]', 'Also mention the time.', 'first answer', 'One more thing.'])
      expect(third).toContain(text);
    expect(second.artifacts.map((a: { data: { filename: string } }) => a.data.filename)).toEqual([
      'report.md',
      'report-2.md',
    ]);

    // Two executions in Temporal, one run in the record.
    const executions = [];
    for await (const w of platform.client.workflow.list({ query: `WorkflowId = '${runId}'` })) executions.push(w);
    expect(executions).toHaveLength(2);
    expect(
      (await platform.request('GET', `/agent/runs?q=${encodeURIComponent('start [script:fu]')}`)).body.runs,
    ).toHaveLength(1);
  });

  test('bad input is a 400 naming the field; an unknown run is a 404', async () => {
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'x',
      config: { model_id: 'anthropic/none' },
    });
    const empty = await platform.request('POST', `/agent/runs/${created.body.run_id}/followups`, { message: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.detail).toContain('message');
    const mode = await platform.request('POST', `/agent/runs/${created.body.run_id}/followups`, {
      message: 'hi',
      mode: 'turbo',
    });
    expect(mode.status).toBe(400);
    expect(mode.body.detail).toContain('mode');
    const missing = await platform.request('POST', '/agent/runs/run_nope/followups', { message: 'hi' });
    expect(missing.status).toBe(404);
  });
});
