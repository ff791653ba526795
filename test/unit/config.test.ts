import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, hostTaskQueue, loadConfig, runsTaskQueue } from '../../src/config';

/** The ConfigError a bad environment raises, failing the test when it loads instead. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  test('an empty environment gives a working local setup', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      bindHost: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      dataDir: path.resolve('.data'),
      logLevel: 'info',
      database: { url: undefined, embeddedPort: 54329 },
      worker: { hostId: 'local', maxConcurrentRuns: 20 },
      models: { defaultModelId: undefined, streaming: true },
      harness: { credentials: {} },
    });
    expect(config.temporal).toMatchObject({
      address: undefined,
      namespace: 'default',
      connect: undefined,
      localPort: 7233,
      localUiPort: 8233,
      uiUrl: 'http://localhost:8233',
      taskQueuePrefix: 'ambit',
    });
    expect(config.bootstrapApiKey).toBeUndefined();
  });

  test('reads only the environment it is given', () => {
    const config = loadConfig({ PORT: '4100', AMBIT_DATA_DIR: '/srv/ambit' });
    expect(config.port).toBe(4100);
    expect(config.publicUrl).toBe('http://localhost:4100');
    expect(config.dataDir).toBe('/srv/ambit');
  });

  test.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'loud'],
    ['AMBIT_PUBLIC_URL', 'ambit.example.com'],
    ['DATABASE_URL', 'mysql://db/ambit'],
    ['AMBIT_EMBEDDED_DB_PORT', '-1'],
    ['TEMPORAL_TLS', 'sometimes'],
    ['AMBIT_TEMPORAL_UI_URL', 'not a url'],
    ['AMBIT_TASK_QUEUE_PREFIX', 'has space'],
    ['AMBIT_HOST_ID', 'edge/1'],
    ['AMBIT_MAX_CONCURRENT_RUNS', '0'],
    ['AMBIT_DEFAULT_MODEL', 'gpt-4o'],
    ['AMBIT_DEFAULT_MODEL', 'mistral/large'],
    ['AMBIT_MODEL_STREAMING', 'maybe'],
    ['OPENAI_BASE_URL', 'not a url'],
    ['ANTHROPIC_BASE_URL', 'nope'],
    ['OPENAI_COMPATIBLE_BASE_URL', 'ollama'],
    ['AMBIT_BOOTSTRAP_API_KEY', 'too-short'],
  ])('%s=%j is refused with a ConfigError naming the variable', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.message).toMatch(new RegExp(`^  ${name}: .+`, 'm'));
  });

  test('each bad variable gets its own line, with the fix where there is one', () => {
    const err = configError({ DATABASE_URL: 'sqlite://x', AMBIT_BOOTSTRAP_API_KEY: 'short', PORT: '3000' });
    const lines = err.message.split('\n').slice(1);
    expect(lines).toEqual([
      '  DATABASE_URL: must be a postgres:// URL; leave it unset for the embedded database',
      '  AMBIT_BOOTSTRAP_API_KEY: must be at least 24 characters; generate one with `openssl rand -hex 24`',
    ]);
  });

  test('booleans take true/false, 1/0 and yes/no', () => {
    expect(loadConfig({ AMBIT_MODEL_STREAMING: 'no' }).models.streaming).toBe(false);
    expect(loadConfig({ AMBIT_MODEL_STREAMING: '0' }).models.streaming).toBe(false);
    expect(loadConfig({ AMBIT_MODEL_STREAMING: 'yes' }).models.streaming).toBe(true);
  });

  test('model lists are comma-separated and the harness gets only the credentials that are set', () => {
    const config = loadConfig({
      OPENAI_API_KEY: 'sk-openai',
      OPENAI_MODELS: ' gpt-4o, gpt-4o-mini ,,',
      ANTHROPIC_BASE_URL: 'https://proxy.example.com/v1',
    });
    expect(config.models.openai).toEqual({
      apiKey: 'sk-openai',
      baseURL: undefined,
      models: ['gpt-4o', 'gpt-4o-mini'],
    });
    expect(config.harness.credentials).toEqual({
      OPENAI_API_KEY: 'sk-openai',
      ANTHROPIC_BASE_URL: 'https://proxy.example.com/v1',
    });
  });

  test('provider base URLs must be http(s): a missing scheme or another one is refused with an example', () => {
    for (const bad of ['localhost:8080', 'ftp://models.example.com', 'javascript:alert(1)']) {
      expect(() => loadConfig({ OPENAI_BASE_URL: bad })).toThrow(/OPENAI_BASE_URL: must be an http\(s\) URL/);
    }
    expect(
      loadConfig({ OPENAI_COMPATIBLE_BASE_URL: 'http://localhost:11434/v1' }).models.openaiCompatible.baseURL,
    ).toBe('http://localhost:11434/v1');
  });

  test('the public URL loses its trailing slash', () => {
    expect(loadConfig({ AMBIT_PUBLIC_URL: 'https://ambit.example.com/' }).publicUrl).toBe('https://ambit.example.com');
  });

  describe('an external Temporal (TEMPORAL_ADDRESS)', () => {
    test('switches to connection options built by envconfig from the TEMPORAL_* variables', () => {
      const config = loadConfig({
        TEMPORAL_ADDRESS: 'ambit.a1b2c.tmprl.cloud:7233',
        TEMPORAL_NAMESPACE: 'ambit.a1b2c',
        TEMPORAL_API_KEY: 'temporal-cloud-key',
        TEMPORAL_GRPC_META_X_TEAM: 'platform',
      });
      expect(config.temporal.address).toBe('ambit.a1b2c.tmprl.cloud:7233');
      expect(config.temporal.namespace).toBe('ambit.a1b2c');
      expect(config.temporal.connect).toEqual({
        namespace: 'ambit.a1b2c',
        connectionOptions: {
          address: 'ambit.a1b2c.tmprl.cloud:7233',
          apiKey: 'temporal-cloud-key',
          // An API key turns TLS on unless TEMPORAL_TLS says otherwise.
          tls: true,
          metadata: { 'x-team': 'platform' },
        },
      });
      // Ambit starts no local server, so it has no local Web UI to link to.
      expect(config.temporal.uiUrl).toBe('');
    });

    test('TEMPORAL_TLS=false turns TLS off even with an API key', () => {
      const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' });
      expect(config.temporal.connect?.connectionOptions.tls).toBe(false);
      expect(config.temporal.tls).toMatchObject({ enabled: false });
    });

    test('reads a profile from TEMPORAL_CONFIG_FILE, with the variables taking precedence', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-envconfig-'));
      try {
        const file = path.join(dir, 'temporal.toml');
        fs.writeFileSync(
          file,
          '[profile.prod]\naddress = "from-file:7233"\napi_key = "file-key"\n[profile.prod.grpc_meta]\nx-env = "prod"\n',
        );
        const config = loadConfig({
          TEMPORAL_ADDRESS: 'from-env:7233',
          TEMPORAL_CONFIG_FILE: file,
          TEMPORAL_PROFILE: 'prod',
        });
        expect(config.temporal.connect?.connectionOptions).toMatchObject({
          address: 'from-env:7233',
          apiKey: 'file-key',
          metadata: { 'x-env': 'prod' },
        });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a namespace from the profile is used unless TEMPORAL_NAMESPACE is set', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-envconfig-'));
      try {
        const file = path.join(dir, 'temporal.toml');
        fs.writeFileSync(file, '[profile.prod]\naddress = "x:7233"\nnamespace = "prod-ns"\n');
        const base = { TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' };
        expect(loadConfig(base).temporal.namespace).toBe('prod-ns');
        expect(loadConfig({ ...base, TEMPORAL_NAMESPACE: 'explicit' }).temporal.namespace).toBe('explicit');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('an unusable TLS setting is a ConfigError pointing at the TEMPORAL_* variables', () => {
      const err = configError({
        TEMPORAL_ADDRESS: 'temporal:7233',
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/nonexistent/client.key',
      });
      expect(err.message).toContain('TEMPORAL_* variables');
      expect(err.message).toContain('/nonexistent/client.pem');
    });

    test('without TEMPORAL_ADDRESS the TEMPORAL_* connection variables are not consulted', () => {
      const config = loadConfig({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem' });
      expect(config.temporal.connect).toBeUndefined();
    });
  });

  describe('task queues', () => {
    test('are prefixed, so Ambit can share a namespace with other workflows', () => {
      const { taskQueuePrefix } = loadConfig({ AMBIT_TASK_QUEUE_PREFIX: 'team-a.ambit' }).temporal;
      expect(taskQueuePrefix).toBe('team-a.ambit');
      expect(runsTaskQueue(taskQueuePrefix)).toBe('team-a.ambit-runs');
      expect(hostTaskQueue(taskQueuePrefix, 'edge-1')).toBe('team-a.ambit-host-edge-1');
    });

    test('default to the ambit prefix and the local host', () => {
      const config = loadConfig({});
      expect(runsTaskQueue(config.temporal.taskQueuePrefix)).toBe('ambit-runs');
      expect(hostTaskQueue(config.temporal.taskQueuePrefix, config.worker.hostId)).toBe('ambit-host-local');
    });
  });
});
