/**
 * Generic webhooks with a conversation key, on the whole platform (worker and scripted model server): a second event
 * about the same incident reaches the run the first one started, as a follow-up, instead of starting another.
 */
import { signWebhook } from '../../src/integrations/webhook';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const SECRET = 'incident-hook-secret';
const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

describe('webhook conversations', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let hookUrl: string;

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m' },
    });
    const created = await platform.request('POST', '/integrations', {
      type: 'webhook',
      name: 'incidents',
      config: {
        prompt_template: 'Incident {{incident.id}}: {{incident.update}} [script:incident]',
        conversation_template: '{{incident.id}}',
      },
      secret_values: { webhook_secret: SECRET },
    });
    expect(created.status).toBe(201);
    hookUrl = `${platform.api.url}/api/v1/hooks/${created.body.id}`;
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
  });

  async function deliver(payload: unknown, delivery: string): Promise<any> {
    const body = JSON.stringify(payload);
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(hookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-ambit-timestamp': ts,
        'x-ambit-signature': signWebhook(SECRET, ts, body),
        'x-ambit-delivery': delivery,
      },
      body,
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { runs: unknown[] }).runs[0];
  }

  test('a second event of the same incident is a follow-up to its run; another incident is a new run', async () => {
    models.addScript('incident', [{ text: 'Looking at the database.' }, { text: 'Recovered; closing.' }]);
    const first = await deliver({ incident: { id: 'INC-9', update: 'checkout is down' } }, 'd-1');
    expect(first.outcome).toBe('started');
    expect((await platform.waitForState(first.run_id, TERMINAL)).state).toBe('SUCCEEDED');

    const second = await deliver({ incident: { id: 'INC-9', update: 'checkout recovered' } }, 'd-2');
    expect(second).toMatchObject({ outcome: 'followup', run_id: first.run_id });
    await platform.waitForState(first.run_id, TERMINAL);
    const run = await platform.database.db.run.findUniqueOrThrow({ where: { id: first.run_id } });
    expect(run.execution).toBe(2);
    const last = JSON.stringify(models.callsFor('incident').at(-1)?.body);
    expect(last).toContain('Incident INC-9: checkout recovered');
    expect(last).toContain('Looking at the database.');

    const other = await deliver({ incident: { id: 'INC-10', update: 'search is slow' } }, 'd-3');
    expect(other.outcome).toBe('started');
    expect(other.run_id).not.toBe(first.run_id);
  });
});
