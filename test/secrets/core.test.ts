/** The secrets module's pure parts: ciphers, envelope, redaction of every encoding, host transport, payload codec, config. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { withSecretRedaction } from '../../activities/secrets';
import { ConfigError, loadConfig } from '../../src/config';
import {
  AesGcmPayloadCodec,
  decrypt,
  encrypt,
  ENCRYPTED_ENCODING,
  forgetSecretValues,
  hostKeyOf,
  keyFingerprint,
  masterKeyOf,
  openRunSecrets,
  openSecretValue,
  REDACTED,
  Redactor,
  rememberSecretValues,
  rewrapSecret,
  sealForHost,
  sealSecretValue,
  secretForms,
  SecretCryptoError,
  unsealForHost,
} from '../../src/secrets';

const key = () => crypto.randomBytes(32);
const b64 = (b: Buffer) => b.toString('base64');

describe('AES-256-GCM', () => {
  test('round-trips, and refuses a wrong key, a different AAD or a flipped bit', () => {
    const k = key();
    const blob = encrypt(k, Buffer.from('hello'), 'sec_1');
    expect(decrypt(k, blob, 'sec_1').toString()).toBe('hello');
    expect(() => decrypt(key(), blob, 'sec_1')).toThrow(SecretCryptoError);
    expect(() => decrypt(k, blob, 'sec_2')).toThrow(SecretCryptoError);
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => decrypt(k, tampered, 'sec_1')).toThrow(SecretCryptoError);
  });

  test('two encryptions of one value differ (random IV)', () => {
    const k = key();
    expect(b64(encrypt(k, Buffer.from('same')))).not.toBe(b64(encrypt(k, Buffer.from('same'))));
  });
});

describe('envelope', () => {
  test('stores no plaintext, opens with the master key, and a re-wrap keeps the ciphertext and changes the key id', () => {
    const master = key();
    const value = 'ghp_' + crypto.randomBytes(16).toString('hex');
    const sealed = sealSecretValue(master, 'sec_a', value);
    for (const blob of [sealed.ciphertext, sealed.wrappedKey]) {
      expect(Buffer.from(blob).includes(Buffer.from(value))).toBe(false);
    }
    expect(sealed.masterKeyId).toBe(keyFingerprint(master));
    const row = { id: 'sec_a', ...sealed };
    expect(openSecretValue([master], row)).toBe(value);
    // Another row's id (AAD) does not open it: ciphertexts cannot be swapped between rows.
    expect(() => openSecretValue([master], { ...row, id: 'sec_b' })).toThrow(SecretCryptoError);

    const next = key();
    const rewrapped = { ...row, ...rewrapSecret(master, next, row) };
    expect(rewrapped.ciphertext).toBe(sealed.ciphertext);
    expect(rewrapped.masterKeyId).toBe(keyFingerprint(next));
    expect(openSecretValue([next], rewrapped)).toBe(value);
    expect(() => openSecretValue([master], rewrapped)).toThrow(/not configured/);
  });
});

describe('redaction', () => {
  const value = 'S3cr3t-V@lue with spaces/+=&?';
  const raw = Buffer.from(value);
  const encodings: [string, string][] = [
    ['plain', value],
    ['base64', raw.toString('base64')],
    ['base64url', raw.toString('base64url')],
    ['url (%20)', encodeURIComponent(value)],
    ['url (+)', encodeURIComponent(value).replace(/%20/g, '+')],
    ['hex', raw.toString('hex')],
    ['HEX', raw.toString('hex').toUpperCase()],
    ['json', JSON.stringify(value).slice(1, -1)],
  ];

  test.each(encodings)('replaces the %s form with ***', (_name, form) => {
    const r = new Redactor([value]);
    const out = r.redact(`before ${form} after`);
    expect(out).toBe(`before ${REDACTED} after`);
  });

  test('finds the value base64-encoded inside a longer string at every byte alignment', () => {
    const r = new Redactor([value]);
    for (const prefix of ['', 'a', 'ab', 'abc', 'TOKEN=', 'x:']) {
      const encoded = Buffer.from(`${prefix}${value}\n`).toString('base64');
      const out = r.redact(encoded);
      expect(out).toContain(REDACTED);
      // What remains cannot be decoded back to the value.
      expect(Buffer.from(out.replace(REDACTED, ''), 'base64').toString()).not.toContain(value);
    }
  });

  test('redacts deep structures (keys and values), leaving other types alone', () => {
    const r = new Redactor(['hunter22']);
    expect(r.redactDeep({ a: ['x hunter22 y', 3, null], hunter22: { b: true } })).toEqual({
      a: ['x *** y', 3, null],
      '***': { b: true },
    });
  });

  test('values too short to redact safely give no forms; no values redact nothing', () => {
    expect(secretForms('ab')).toEqual([]);
    expect(new Redactor([]).redact('anything')).toBe('anything');
  });
});

describe('host transport', () => {
  test('seals a run’s variables for its own run only', () => {
    const k = key();
    const sealed = sealForHost(k, 'run_1', { API_TOKEN: 'tok-123456' });
    expect(sealed).not.toContain('tok-123456');
    expect(sealed).not.toContain(Buffer.from('tok-123456').toString('base64'));
    expect(unsealForHost(k, 'run_1', sealed)).toEqual({ API_TOKEN: 'tok-123456' });
    expect(() => unsealForHost(k, 'run_2', sealed)).toThrow(/sealed for run run_1/);
    // Changing the visible run id breaks the authentication.
    expect(() => unsealForHost(k, undefined, sealed.replace('run_1', 'run_2'))).toThrow(SecretCryptoError);
    expect(() => unsealForHost(key(), 'run_1', sealed)).toThrow(SecretCryptoError);
    const opened = openRunSecrets(k, 'run_1', sealed);
    expect(opened.env).toEqual({ API_TOKEN: 'tok-123456' });
    expect(opened.redactor.redact('got tok-123456')).toBe('got ***');
  });
});

describe('Temporal payload codec', () => {
  test('encrypts every payload and decodes it back; unencrypted payloads pass through decode', async () => {
    const codec = new AesGcmPayloadCodec(key());
    const payload = {
      metadata: { encoding: new Uint8Array(Buffer.from('json/plain')) },
      data: new Uint8Array(Buffer.from('{"prompt":"deploy"}')),
    };
    const [encoded] = await codec.encode([payload]);
    expect(Buffer.from(encoded!.metadata!['encoding']!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encoded!.data!).toString()).not.toContain('deploy');
    const [decoded] = await codec.decode([encoded!]);
    expect(Buffer.from(decoded!.data!).toString()).toBe('{"prompt":"deploy"}');
    expect(Buffer.from(decoded!.metadata!['encoding']!).toString()).toBe('json/plain');
    const [plain] = await codec.decode([payload]);
    expect(plain).toBe(payload);
    await expect(new AesGcmPayloadCodec(key()).decode([encoded!])).rejects.toThrow(/not configured/);
  });
});

describe('configuration of keys', () => {
  const base = { LOG_LEVEL: 'silent' };

  test('production refuses to start without AMBIT_MASTER_KEY and says how to create one', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrow(/AMBIT_MASTER_KEY.*openssl rand -base64 32/s);
    const cfg = loadConfig({ ...base, NODE_ENV: 'production', AMBIT_MASTER_KEY: b64(key()) });
    expect(cfg.secrets.allowDevelopmentKeys).toBe(false);
  });

  test('a key that is not 32 bytes of base64 is refused, naming the variable', () => {
    expect(() => loadConfig({ ...base, AMBIT_MASTER_KEY: 'short' })).toThrow(
      /AMBIT_MASTER_KEY: must be 32 random bytes/,
    );
    expect(() => loadConfig({ ...base, AMBIT_TEMPORAL_PAYLOAD_KEY: b64(crypto.randomBytes(16)) })).toThrow(
      /AMBIT_TEMPORAL_PAYLOAD_KEY/,
    );
  });

  test('development generates one master key file (0600) under the data directory and reuses it', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-keys-'));
    try {
      const cfg = loadConfig({ ...base, AMBIT_DATA_DIR: dataDir });
      const k = masterKeyOf(cfg);
      const file = path.join(dataDir, 'secrets', 'master.key');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64').equals(k)).toBe(true);
      expect(masterKeyOf(loadConfig({ ...base, AMBIT_DATA_DIR: dataDir })).equals(k)).toBe(true);
      // The host key derives from it unless configured, and differs from it.
      expect(hostKeyOf(cfg).equals(k)).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a provider key may name a team secret (secret:NAME), which is then not passed to harness CLIs', () => {
    const cfg = loadConfig({ ...base, OPENAI_API_KEY: 'secret:TEAM_OPENAI_KEY' });
    expect(cfg.models.openai).toMatchObject({ apiKeySecret: 'TEAM_OPENAI_KEY' });
    expect(cfg.models.openai.apiKey).toBeUndefined();
    expect(cfg.harness.credentials['OPENAI_API_KEY']).toBeUndefined();
    expect(() => loadConfig({ ...base, OPENAI_API_KEY: 'secret:lower' })).toThrow(/OPENAI_API_KEY: secret:NAME/);
  });
});

describe('activity redaction wrapper', () => {
  afterEach(() => forgetSecretValues());

  test('redacts what a secrets-carrying activity returns, and what any activity throws', async () => {
    const value = `wrap-${crypto.randomBytes(8).toString('hex')}`;
    rememberSecretValues([value]);
    const activities = withSecretRedaction({
      onHost: (input: { sealedSecrets?: string }) => Promise.resolve({ out: `printed ${value}`, input }),
      onPlatform: (_input: { runId: string }) => Promise.resolve({ out: `kept ${value}` }),
      failsPlainly: (_input: { runId: string }) => Promise.reject(new Error(`provider said ${value}`)),
      failsAsApplication: (_input: { runId: string }) =>
        Promise.reject(ApplicationFailure.nonRetryable(`setup printed ${value}`, 'EnvironmentSetupFailed', { value })),
    });
    expect(await activities.onHost({ sealedSecrets: 'ambit-sealed-v1:x:y' })).toEqual({
      out: 'printed ***',
      input: { sealedSecrets: 'ambit-sealed-v1:x:y' },
    });
    // Platform results without sealed secrets are left alone (callModel and appendEvents redact their own).
    expect(await activities.onPlatform({ runId: 'r' })).toEqual({ out: `kept ${value}` });
    await expect(activities.failsPlainly({ runId: 'r' })).rejects.toThrow('provider said ***');
    const failure = await activities.failsAsApplication({ runId: 'r' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      message: 'setup printed ***',
      type: 'EnvironmentSetupFailed',
      nonRetryable: true,
      details: [{ value: '***' }],
    });
  });
});
