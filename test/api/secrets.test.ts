/**
 * Secrets over HTTP against a real API and PostgreSQL: write-only answers, scopes and roles, validation, encryption
 * at rest read from the raw table, the audit trail, which secrets a run receives, rotation, and the Temporal codec
 * endpoint.
 */
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import {
  forgetSecretValues,
  hostKeyOf,
  readSecretValues,
  rememberSecretValues,
  resolveRunSecrets,
  rotateMasterKey,
  unsealForHost,
} from '../../src/secrets';
import { appendEvents } from '../../activities/record';
import { createModelGateway } from '../../activities/model/registry';
import { modelCredentialsFor, sealRunSecretsFor } from '../../activities/secrets';
import { createTeam, insertRun, startHarness, type Harness, type TeamKeys } from './helpers';

const MASTER = crypto.randomBytes(32);
const PAYLOAD_KEY = crypto.randomBytes(32);
const UI_ORIGIN = 'http://temporal-ui.test:8233';
const secretValue = () => `sv-${crypto.randomBytes(12).toString('hex')}`;

describe('secrets API', () => {
  let h: Harness;
  let team: TeamKeys;
  let other: TeamKeys;

  beforeAll(async () => {
    h = await startHarness('postgres', {
      env: {
        AMBIT_MASTER_KEY: MASTER.toString('base64'),
        AMBIT_TEMPORAL_PAYLOAD_KEY: PAYLOAD_KEY.toString('base64'),
        AMBIT_TEMPORAL_CODEC_ORIGIN: UI_ORIGIN,
      },
    });
    team = await createTeam(h.db, 'sec');
    other = await createTeam(h.db, 'sec-other');
  });
  afterAll(async () => {
    await h?.close();
  });

  const create = (key: string, body: unknown) => h.request<any>('POST', '/api/v1/secrets', { key, body });

  test('an admin creates a team secret; the answer and every later read hold metadata, never the value', async () => {
    const value = secretValue();
    const res = await create(team.admin, { name: 'DEPLOY_TOKEN', value, description: 'deploys' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/secrets/${res.body.id}`);
    expect(res.body).toMatchObject({
      name: 'DEPLOY_TOKEN',
      description: 'deploys',
      scope: { type: 'Team', uid: team.teamId },
      created_by: team.users.admin,
    });
    expect(res.body.id).toMatch(/^sec_/);
    const reads = [
      res,
      await h.request('GET', `/api/v1/secrets/${res.body.id}`, { key: team.member }),
      await h.request('GET', '/api/v1/secrets', { key: team.viewer }),
    ];
    for (const r of reads) {
      expect(r.status).toBeLessThan(300);
      expect(JSON.stringify(r.body)).not.toContain(value);
      expect(JSON.stringify(r.body)).not.toMatch(/"value"|ciphertext|wrapped/);
    }
  });

  test('encrypted at rest: no column of the raw row, and no audit entry, holds the value or its encodings', async () => {
    const value = secretValue();
    const res = await create(team.admin, { name: 'AT_REST', value });
    const rows = await h.db.$queryRawUnsafe<Record<string, unknown>[]>(
      'SELECT * FROM secrets WHERE id = $1',
      res.body.id,
    );
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    const dump = Object.values(row)
      .map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : String(v)))
      .join('|');
    for (const form of [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')]) {
      expect(dump).not.toContain(form);
    }
    expect((row['ciphertext'] as Uint8Array).length).toBe(12 + 16 + Buffer.byteLength(value));
    expect(row['master_key_id']).toMatch(/^[0-9a-f]{16}$/);
    const audit = await h.db.$queryRawUnsafe<{ action: string; data: unknown }[]>(
      'SELECT action, data FROM audit_events WHERE target_id = $1',
      res.body.id,
    );
    expect(audit.map((a) => a.action)).toEqual(['secret.created']);
    expect(JSON.stringify(audit)).not.toContain(value);
    // Server-side readers get the plaintext back.
    expect(await readSecretValues(h.db, h.config, { teamId: team.teamId, names: ['AT_REST', 'MISSING'] })).toEqual({
      AT_REST: value,
    });
  });

  test('roles: team secrets need admin; members and admins keep personal ones; viewers and team keys cannot', async () => {
    const body = { name: 'ROLE_CHECK', value: secretValue() };
    const member = await create(team.member, body);
    expect(member.status).toBe(403);
    expect(member.body.detail).toMatch(/members may not create team secrets; use an admin API key/);
    expect((await create(team.viewer, { ...body, scope: 'User' })).status).toBe(403);
    const teamKey = await create(team.team, { ...body, scope: 'User' });
    expect(teamKey.status).toBe(400);
    expect(teamKey.body.detail).toMatch(/scope: "User".*user API key/);
    const personal = await create(team.member, { ...body, scope: 'User' });
    expect(personal.status).toBe(201);
    expect(personal.body.scope).toEqual({ type: 'User', uid: team.users.member });
    // The same name may exist once per scope.
    expect((await create(team.admin, body)).status).toBe(201);
    const again = await create(team.admin, body);
    expect(again.status).toBe(409);
    expect(again.body.retryable).toBe(false);
    expect(again.body.detail).toMatch(/ROLE_CHECK already exists among the team's secrets/);
  });

  test('bad input answers 400 naming the field and the fix; nothing is stored', async () => {
    const before = await h.db.secret.count();
    const cases: [unknown, RegExp][] = [
      [{ name: 'lower_case', value: 'x1234' }, /name: must be an environment variable name/],
      [{ name: '1ABC', value: 'x1234' }, /name: must be an environment variable name/],
      [{ value: 'x1234' }, /name: required/],
      [{ name: 'NO_VALUE' }, /value: required/],
      [{ name: 'EMPTY', value: '' }, /value: must not be empty/],
      [{ name: 'NUL', value: 'a\u0000b' }, /value: must not contain NUL/],
      [{ name: 'SCOPE', value: 'abcd', scope: 'Org' }, /scope: use "Team" or "User"/],
      [{ name: 'EXTRA', value: 'abcd', shown: true }, /shown/],
    ];
    for (const [body, detail] of cases) {
      const res = await create(team.admin, body);
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(detail);
    }
    expect(await h.db.secret.count()).toBe(before);
  });

  test('a malformed body that holds a value does not echo it in the error', async () => {
    const value = secretValue();
    const res = await h.request<any>('POST', '/api/v1/secrets', {
      key: team.admin,
      rawBody: `{"name":"BROKEN","value":"${value}"`,
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/malformed JSON/);
    expect(JSON.stringify(res.body)).not.toContain(value);
  });

  test('visibility: personal secrets are their owner’s (and admins’); other teams see nothing and get 404', async () => {
    const mine = await create(team.otherMember, { name: 'MINE_ONLY', value: secretValue(), scope: 'User' });
    const names = async (key: string) =>
      ((await h.request<any>('GET', '/api/v1/secrets', { key })).body.secrets as { name: string }[]).map((s) => s.name);
    expect(await names(team.otherMember)).toContain('MINE_ONLY');
    expect(await names(team.admin)).toContain('MINE_ONLY');
    expect(await names(team.member)).not.toContain('MINE_ONLY');
    expect(await names(other.admin)).toEqual([]);
    for (const key of [team.member, other.admin]) {
      expect((await h.request('GET', `/api/v1/secrets/${mine.body.id}`, { key })).status).toBe(404);
      expect((await h.request('DELETE', `/api/v1/secrets/${mine.body.id}`, { key })).status).toBe(404);
      const patch = await h.request('PATCH', `/api/v1/secrets/${mine.body.id}`, { key, body: { value: 'x1234' } });
      expect(patch.status).toBe(404);
    }
    const personalOnly = await h.request<any>('GET', '/api/v1/secrets?scope=User', { key: team.admin });
    expect(personalOnly.body.secrets.every((s: any) => s.scope.type === 'User')).toBe(true);
  });

  test('update replaces the value under a new data key; delete removes it; both are audited', async () => {
    const first = secretValue();
    const created = await create(team.admin, { name: 'ROTATING', value: first });
    const id = created.body.id as string;
    const before = await h.db.secret.findUniqueOrThrow({ where: { id } });
    const second = secretValue();
    const updated = await h.request<any>('PATCH', `/api/v1/secrets/${id}`, {
      key: team.admin,
      body: { value: second, description: 'v2' },
    });
    expect(updated.status).toBe(200);
    expect(JSON.stringify(updated.body)).not.toContain(second);
    expect(updated.body.description).toBe('v2');
    const after = await h.db.secret.findUniqueOrThrow({ where: { id } });
    expect(Buffer.from(after.wrappedKey).equals(Buffer.from(before.wrappedKey))).toBe(false);
    expect(await readSecretValues(h.db, h.config, { teamId: team.teamId, names: ['ROTATING'] })).toEqual({
      ROTATING: second,
    });
    expect((await h.request('PATCH', `/api/v1/secrets/${id}`, { key: team.admin, body: {} })).status).toBe(400);
    expect(
      (await h.request('PATCH', `/api/v1/secrets/${id}`, { key: team.member, body: { value: 'x1234' } })).status,
    ).toBe(403);
    const deleted = await h.request<any>('DELETE', `/api/v1/secrets/${id}`, { key: team.admin });
    expect(deleted.body).toEqual({ id, deleted: true });
    expect((await h.request('GET', `/api/v1/secrets/${id}`, { key: team.admin })).status).toBe(404);
    const audit = await h.db.auditEvent.findMany({ where: { targetId: id }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.actorUserId])).toEqual([
      ['secret.created', team.users.admin],
      ['secret.updated', team.users.admin],
      ['secret.deleted', team.users.admin],
    ]);
    expect(JSON.stringify(audit.map((a) => a.data))).not.toContain(first);
    expect(JSON.stringify(audit.map((a) => a.data))).not.toContain(second);
  });

  test('a run gets team secrets and only its own creator’s personal ones; scheduled and user-less runs get none', async () => {
    const t = await createTeam(h.db, 'runs');
    const teamValue = secretValue();
    const memberValue = secretValue();
    const otherValue = secretValue();
    await create(t.admin, { name: 'SHARED', value: teamValue });
    await create(t.member, { name: 'PERSONAL', value: memberValue, scope: 'User' });
    await create(t.otherMember, { name: 'PERSONAL', value: otherValue, scope: 'User' });
    await create(t.member, { name: 'SHARED', value: 'override-by-member', scope: 'User' });
    const envOf = async (data: Parameters<typeof insertRun>[2]) => {
      const runId = await insertRun(h.db, t.teamId, data);
      const run = await h.db.run.findUniqueOrThrow({ where: { id: runId } });
      return Object.fromEntries((await resolveRunSecrets(h.db, h.config, run)).map((s) => [s.name, s.value]));
    };
    expect(await envOf({ creatorUserId: t.users.member, creatorType: 'user', source: 'API' })).toEqual({
      SHARED: 'override-by-member',
      PERSONAL: memberValue,
    });
    expect(await envOf({ creatorUserId: t.users.otherMember, creatorType: 'user', source: 'CLI' })).toEqual({
      SHARED: teamValue,
      PERSONAL: otherValue,
    });
    // A scheduled run, even one whose schedule a member created, and a run without a user: team secrets only.
    expect(await envOf({ creatorUserId: t.users.member, creatorType: 'user', source: 'SCHEDULED_AGENT' })).toEqual({
      SHARED: teamValue,
    });
    expect(await envOf({ creatorUserId: null, source: 'WEBHOOK' })).toEqual({ SHARED: teamValue });
  });

  test('sealRunSecrets hands the host ciphertext only, and audits each secret’s use by the run once', async () => {
    const t = await createTeam(h.db, 'seal');
    const value = secretValue();
    const created = await create(t.admin, { name: 'USED_BY_RUN', value });
    const runId = await insertRun(h.db, t.teamId, { creatorUserId: t.users.member, creatorType: 'user' });
    const first = await sealRunSecretsFor(h.db, h.config, runId);
    const again = await sealRunSecretsFor(h.db, h.config, runId);
    expect(first.names).toEqual(['USED_BY_RUN']);
    for (const form of [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')]) {
      expect(JSON.stringify(first)).not.toContain(form);
    }
    expect(unsealForHost(hostKeyOf(h.config), runId, first.sealedSecrets!)).toEqual({ USED_BY_RUN: value });
    expect(again.sealedSecrets).toBeDefined();
    const used = await h.db.auditEvent.findMany({ where: { runId, action: 'secret.used' } });
    expect(used.map((u) => [u.targetId, u.actorType])).toEqual([[created.body.id, 'system']]);
    expect((await h.db.secret.findUniqueOrThrow({ where: { id: created.body.id } })).lastUsedAt).not.toBeNull();
    const none = await createTeam(h.db, 'seal-none');
    expect(await sealRunSecretsFor(h.db, h.config, await insertRun(h.db, none.teamId))).toEqual({ names: [] });
  });

  test('rotation re-wraps every secret to the new key, is idempotent, and refuses an unknown wrapping key', async () => {
    const t = await createTeam(h.db, 'rot');
    const value = secretValue();
    await create(t.admin, { name: 'SURVIVES_ROTATION', value });
    const next = crypto.randomBytes(32);
    const count = await h.db.secret.count();
    const first = await rotateMasterKey(h.db, { from: MASTER, to: next });
    expect(first.rewrapped).toBe(count);
    const rotated = { ...h.config, secrets: { ...h.config.secrets, masterKey: next, previousMasterKey: undefined } };
    expect(await readSecretValues(h.db, rotated, { teamId: t.teamId, names: ['SURVIVES_ROTATION'] })).toEqual({
      SURVIVES_ROTATION: value,
    });
    await expect(readSecretValues(h.db, h.config, { teamId: t.teamId, names: ['SURVIVES_ROTATION'] })).rejects.toThrow(
      /not configured/,
    );
    expect(await rotateMasterKey(h.db, { from: MASTER, to: next })).toMatchObject({
      rewrapped: 0,
      alreadyCurrent: count,
    });
    await expect(rotateMasterKey(h.db, { from: crypto.randomBytes(32), to: crypto.randomBytes(32) })).rejects.toThrow(
      /neither AMBIT_MASTER_KEY .* nothing was changed/,
    );
    // Back to the harness key, so the other tests keep working in any order.
    await rotateMasterKey(h.db, { from: next, to: MASTER });
    expect(await readSecretValues(h.db, h.config, { teamId: t.teamId, names: ['SURVIVES_ROTATION'] })).toEqual({
      SURVIVES_ROTATION: value,
    });
  });

  test('run events are stored redacted of every value the worker has handled', async () => {
    const value = secretValue();
    const runId = await insertRun(h.db, team.teamId);
    rememberSecretValues([value]);
    await appendEvents(h.db, runId, [
      { key: 'leak-1', type: 'log', data: { message: `token ${value}`, nested: [Buffer.from(value).toString('hex')] } },
    ]);
    const [event] = await h.db.runEvent.findMany({ where: { runId, key: 'leak-1' } });
    expect(event?.data).toEqual({ message: 'token ***', nested: ['***'] });
    forgetSecretValues();
  });

  test('a model provider key given as secret:NAME is the run team’s secret of that name', async () => {
    const models = createModelGateway({
      ...h.config.models,
      openaiCompatible: { apiKeySecret: 'PROVIDER_KEY', baseURL: 'http://127.0.0.1:9/v1', models: [] },
    });
    const deps = { db: h.db, models, secretKeys: h.config };
    const t = await createTeam(h.db, 'model-key');
    await expect(modelCredentialsFor(deps, t.teamId, 'openai-compatible/m')).rejects.toThrow(
      /team secret PROVIDER_KEY, which this team does not have; create it with `ambit secret create PROVIDER_KEY`/,
    );
    const value = secretValue();
    await create(t.admin, { name: 'PROVIDER_KEY', value });
    expect(await modelCredentialsFor(deps, t.teamId, 'openai-compatible/m')).toEqual({ apiKey: value });
    // Providers configured with a key of their own need no secret.
    expect(await modelCredentialsFor(deps, t.teamId, 'anthropic/claude')).toBeUndefined();
    expect(models.isConfigured('openai-compatible')).toBe(true);
  });

  test('logs are redacted of every value the process has handled', () => {
    const value = secretValue();
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        written += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ logLevel: 'info' }, 'redaction-test', sink);
    rememberSecretValues([value]);
    logger.info({ header: `Bearer ${value}`, encoded: Buffer.from(value).toString('base64') }, `saw ${value}`);
    expect(written).toContain('***');
    expect(written).not.toContain(value);
    expect(written).not.toContain(Buffer.from(value).toString('base64'));
    forgetSecretValues();
  });

  describe('Temporal codec endpoint', () => {
    const payload = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('"hi"').toString('base64'),
    };

    test('an admin encodes and decodes payloads (Temporal codec-server JSON), round trip', async () => {
      const enc = await h.request<any>('POST', '/api/v1/temporal-codec/encode', {
        key: team.admin,
        body: { payloads: [payload] },
      });
      expect(enc.status).toBe(200);
      const encoded = enc.body.payloads[0];
      expect(Buffer.from(encoded.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
      expect(Buffer.from(encoded.data, 'base64').toString()).not.toContain('hi');
      const dec = await h.request<any>('POST', '/api/v1/temporal-codec/decode', {
        key: team.admin,
        body: { payloads: [encoded] },
        headers: { origin: UI_ORIGIN, 'x-namespace': 'default' },
      });
      expect(dec.status).toBe(200);
      expect(dec.body.payloads).toEqual([payload]);
      expect(dec.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    });

    test('authenticated and admin-only; other origins are refused; the preflight names the UI origin', async () => {
      const body = { payloads: [payload] };
      expect((await h.request('POST', '/api/v1/temporal-codec/decode', { body })).status).toBe(401);
      expect((await h.request('POST', '/api/v1/temporal-codec/decode', { key: 'ambit_nope', body })).status).toBe(401);
      expect((await h.request('POST', '/api/v1/temporal-codec/decode', { key: team.member, body })).status).toBe(403);
      const foreign = await h.request<any>('POST', '/api/v1/temporal-codec/decode', {
        key: team.admin,
        body,
        headers: { origin: 'http://evil.test' },
      });
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${h.url}/api/v1/temporal-codec/decode`, {
        method: 'OPTIONS',
        headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
      const garbage = await h.request<any>('POST', '/api/v1/temporal-codec/decode', {
        key: team.admin,
        body: {
          payloads: [{ metadata: { encoding: Buffer.from('binary/encrypted').toString('base64') }, data: 'AAAA' }],
        },
      });
      expect(garbage.status).toBe(400);
    });
  });
});
