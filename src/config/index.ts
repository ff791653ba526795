/**
 * The only module that reads `process.env`. It parses the environment once with zod and fails fast with a
 * message naming each bad variable and how to fix it. Everything else receives `AppConfig` as an argument.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { z } from 'zod';
import { parseModelId } from '../domain/model-id';
import { parseImageReference } from '../domain/environment';
import { parseRegistryCredential, type RegistryCredential } from '../domain/registry';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'use true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535);
const optionalString = z.string().min(1).optional();
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://localhost:11434/v1' });

const SECRET_REF_PREFIX = 'secret:';
const SECRET_REF = /^secret:[A-Z_][A-Z0-9_]*$/;
/** A provider key, or `secret:NAME` naming the team secret that holds it. */
const providerKey = z
  .string()
  .min(1)
  .refine(
    (v) => !v.startsWith(SECRET_REF_PREFIX) || SECRET_REF.test(v),
    'secret:NAME must name a secret (capital letters, digits and _), e.g. secret:OPENAI_API_KEY',
  )
  .optional();

/** A 256-bit key given as base64 (what `openssl rand -base64 32` prints). */
const key32 = z
  .string()
  .trim()
  .refine(
    (v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32,
    'must be 32 random bytes in base64; create one with `openssl rand -base64 32`',
  )
  .transform((v) => Buffer.from(v, 'base64'));

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  AMBIT_HOST: z.string().default('127.0.0.1'),
  AMBIT_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL such as https://ambit.example.com' })
    .optional(),
  AMBIT_DATA_DIR: z.string().default('.data'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL; leave it unset for the embedded database')
    .optional(),
  AMBIT_EMBEDDED_DB_PORT: port.default(54329),

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: bool.optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalString,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalString,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_CLI_PATH: optionalString,
  AMBIT_TEMPORAL_PORT: port.default(7233),
  AMBIT_TEMPORAL_UI_PORT: port.default(8233),
  AMBIT_TEMPORAL_UI_URL: httpUrl.optional(),
  AMBIT_TASK_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,64}$/, 'use letters, digits, ".", "_" or "-"')
    .default('ambit'),

  AMBIT_HOST_ID: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,64}$/, 'use letters, digits, ".", "_" or "-"')
    .default('local'),
  AMBIT_MAX_CONCURRENT_RUNS: z.coerce.number().int().min(1).default(20),
  /** Whether a worker process also serves the platform queue (workflows, database and model activities). */
  AMBIT_WORKER_PLATFORM: bool.default(true),
  /** Runs this host worker executes at once; extra runs routed here stay QUEUED. Default: AMBIT_MAX_CONCURRENT_RUNS. */
  AMBIT_HOST_MAX_RUNS: z.coerce
    .number({ error: 'must be a whole number of runs, e.g. 4' })
    .int()
    .min(1)
    .max(1000)
    .optional(),
  /** This host's environment for runs that name none (a Docker image); unset: such runs use a local workspace. */
  AMBIT_HOST_DEFAULT_IMAGE: z
    .string()
    .superRefine((value, ctx) => {
      const parsed = parseImageReference(value);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `${parsed.reason}, e.g. ubuntu:24.04` });
    })
    .optional(),
  AMBIT_HOST_CPUS: z.coerce
    .number({ error: 'must be a number of CPUs, e.g. 1.5' })
    .positive('must be above 0, e.g. 1.5')
    .max(1024)
    .optional(),
  AMBIT_HOST_MEMORY_MB: z.coerce
    .number({ error: 'must be a whole number of MiB, e.g. 2048' })
    .int('must be a whole number of MiB, e.g. 2048')
    .min(8, 'must be at least 8 (MiB)')
    .optional(),
  AMBIT_HOST_PIDS: z.coerce
    .number({ error: 'must be a whole number of processes, e.g. 512' })
    .int('must be a whole number of processes, e.g. 512')
    .min(8, 'must be at least 8')
    .optional(),
  AMBIT_HOST_NETWORK: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must be "none", "bridge" or the name of a Docker network')
    .refine(
      (n) => n !== 'host',
      'must not be "host" (it would share the host\'s network with runs); use bridge or none',
    )
    .optional(),
  /**
   * Credentials this host pulls private images with: a JSON object from registry host to "user:password", e.g.
   * {"ghcr.io": "bot:ghp_…"}. A run's secret REGISTRY_AUTH_<HOST> (e.g. REGISTRY_AUTH_GHCR_IO) wins over it.
   */
  AMBIT_REGISTRY_AUTH: z
    .string()
    .transform((raw, ctx) => {
      const example = 'e.g. {"ghcr.io": "user:token"}';
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: `must be a JSON object from registry host to "user:password", ${example}`,
        });
        return z.NEVER;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a JSON object from registry host to "user:password", ${example}`,
        });
        return z.NEVER;
      }
      const out: Record<string, RegistryCredential> = {};
      for (const [host, value] of Object.entries(parsed)) {
        const credential = typeof value === 'string' ? parseRegistryCredential(value, host) : undefined;
        if (!credential) {
          ctx.addIssue({
            code: 'custom',
            message: `the value for ${JSON.stringify(host)} must be "user:password", ${example}`,
          });
          return z.NEVER;
        }
        out[host] = credential;
      }
      return out;
    })
    .optional(),
  /** Seconds between a host worker's reports to the host registry (GET /hosts). */
  AMBIT_HOST_REPORT_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int()
    .min(1)
    .max(3600)
    .default(15),
  AMBIT_DOCKER: z.enum(['auto', 'on', 'off'], { error: 'use auto, on or off' }).default('auto'),
  AMBIT_SNAPSHOTS: bool.default(true),
  AMBIT_SNAPSHOT_TTL_HOURS: z.coerce
    .number({ error: 'must be a number of hours' })
    .positive()
    .default(24 * 7),
  AMBIT_SNAPSHOT_MAX_GB: z.coerce.number({ error: 'must be a number of GiB' }).positive().default(10),
  DOCKER_HOST: z
    .string()
    .regex(/^(unix:\/\/\/.+|tcp:\/\/[^:/]+:\d+)$/, 'must be unix:///path/to/docker.sock or tcp://host:port')
    .optional(),

  AMBIT_DEFAULT_MODEL: z
    .string()
    .refine(
      (v) => parseModelId(v) !== undefined,
      'must be "<provider>/<model>" with provider openai, anthropic or openai-compatible',
    )
    .optional(),
  AMBIT_MODEL_STREAMING: bool.default(true),
  OPENAI_API_KEY: providerKey,
  OPENAI_BASE_URL: httpUrl.optional(),
  OPENAI_MODELS: optionalString,
  ANTHROPIC_API_KEY: providerKey,
  ANTHROPIC_BASE_URL: httpUrl.optional(),
  ANTHROPIC_MODELS: optionalString,
  OPENAI_COMPATIBLE_BASE_URL: httpUrl.optional(),
  OPENAI_COMPATIBLE_API_KEY: providerKey,
  OPENAI_COMPATIBLE_MODELS: optionalString,
  GEMINI_API_KEY: optionalString,
  AMBIT_HARNESS_CLAUDE_COMMAND: optionalString,
  AMBIT_HARNESS_CODEX_COMMAND: optionalString,
  AMBIT_HARNESS_GEMINI_COMMAND: optionalString,
  AMBIT_HARNESS_OZ_COMMAND: optionalString,

  AMBIT_MASTER_KEY: key32.optional(),
  AMBIT_MASTER_KEY_PREVIOUS: key32.optional(),
  AMBIT_HOST_SECRETS_KEY: key32.optional(),
  AMBIT_TEMPORAL_PAYLOAD_KEY: key32.optional(),
  AMBIT_TEMPORAL_CODEC_ORIGIN: httpUrl.optional(),

  AMBIT_BOOTSTRAP_API_KEY: z
    .string()
    .min(24, 'must be at least 24 characters; generate one with `openssl rand -hex 24`')
    .optional(),
});
export type Env = z.infer<typeof EnvSchema>;

/**
 * A provider's key, or `apiKeySecret`: the name of a team secret holding it (the variable set to `secret:NAME`),
 * read per run from the run's team, so each team pays with its own key and the key lives encrypted in the database.
 */
export interface ModelProviderConfig {
  apiKey?: string;
  apiKeySecret?: string;
  baseURL?: string;
  models: string[];
}

export interface ModelProvidersConfig {
  openai: ModelProviderConfig;
  anthropic: ModelProviderConfig;
  openaiCompatible: ModelProviderConfig;
}

export interface AppConfig {
  env: Env['NODE_ENV'];
  port: number;
  bindHost: string;
  publicUrl: string;
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  database: { url?: string; embeddedPort: number };
  temporal: {
    /** Set when the team runs its own cluster; absent means Ambit starts a local dev server. */
    address?: string;
    namespace: string;
    apiKey?: string;
    tls?: {
      enabled: boolean;
      clientCertPath?: string;
      clientKeyPath?: string;
      serverCaCertPath?: string;
      serverName?: string;
    };
    /** Connection options built by @temporalio/envconfig (Temporal's own env/profile conventions) when `address` is set. */
    connect?: ClientConnectConfig;
    cliPath?: string;
    localPort: number;
    localUiPort: number;
    uiUrl: string;
    taskQueuePrefix: string;
  };
  worker: { hostId: string; maxConcurrentRuns: number; platform: boolean };
  /** This host worker: its capacity in runs, its default environment and limits, how often it reports itself. */
  host: {
    maxRuns: number;
    reportIntervalMs: number;
    defaultImage?: string;
    limits: { cpus?: number; memoryMb?: number; pids?: number };
    network?: string;
    /** Pull credentials by registry host (AMBIT_REGISTRY_AUTH). */
    registryAuth?: Record<string, RegistryCredential>;
  };
  /** How host workers reach a Docker engine for environments with an image; undefined: this host has none. */
  docker?: { socketPath: string } | { host: string; port: number };
  /** Warm starts: snapshot environments after setup (Docker hosts only); undefined when turned off. */
  snapshots?: { ttlMs: number; maxBytes: number };
  models: ModelProvidersConfig & { defaultModelId?: string; streaming: boolean };
  harness: {
    commands: Partial<Record<'claude' | 'codex' | 'gemini' | 'oz', string>>;
    credentials: Record<string, string>;
  };
  bootstrapApiKey?: string;
  /** Keys of secrets at rest and in transit (see src/secrets); undefined keys fall back to development defaults. */
  secrets: SecretsConfig;
}

export interface SecretsConfig {
  /** AMBIT_MASTER_KEY: wraps every secret's data key. Required when NODE_ENV=production. */
  masterKey?: Buffer;
  /** AMBIT_MASTER_KEY_PREVIOUS: the key being rotated away from (read by the rotation command). */
  previousMasterKey?: Buffer;
  /** AMBIT_HOST_SECRETS_KEY: seals run secrets between the platform and host workers; derived from the master key when unset. */
  hostKey?: Buffer;
  /** Whether development defaults (a generated key file under the data directory) are allowed. */
  allowDevelopmentKeys: boolean;
  /** Temporal payload encryption (AMBIT_TEMPORAL_PAYLOAD_KEY); off when undefined. */
  payloadCodec?: { key: Buffer; corsOrigin?: string };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const list = (v: string | undefined): string[] =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/** Parses an environment (default `process.env`) into the app's config, or throws a `ConfigError` naming each bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.AMBIT_DATA_DIR);
  const uiUrl = e.AMBIT_TEMPORAL_UI_URL ?? (e.TEMPORAL_ADDRESS ? '' : `http://localhost:${e.AMBIT_TEMPORAL_UI_PORT}`);
  let connect: ClientConnectConfig | undefined;
  if (e.TEMPORAL_ADDRESS) {
    const envVars = Object.fromEntries(
      Object.entries(source).filter((kv): kv is [string, string] => typeof kv[1] === 'string'),
    );
    try {
      connect = loadClientConnectConfig({ overrideEnvVars: envVars, disableFile: !envVars['TEMPORAL_CONFIG_FILE'] });
    } catch (err) {
      throw new ConfigError(`Invalid Temporal configuration (TEMPORAL_* variables): ${(err as Error).message}`);
    }
  }
  const credentials: Record<string, string> = {};
  for (const k of [
    'ANTHROPIC_API_KEY',
    'ANTHROPIC_BASE_URL',
    'OPENAI_API_KEY',
    'OPENAI_BASE_URL',
    'GEMINI_API_KEY',
  ] as const) {
    const v = e[k];
    // A key given by reference (secret:NAME) is not a key: harness CLIs get the run's secrets instead.
    if (v && !v.startsWith(SECRET_REF_PREFIX)) credentials[k] = v;
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    bindHost: e.AMBIT_HOST,
    publicUrl: (e.AMBIT_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir,
    logLevel: e.LOG_LEVEL,
    database: { url: e.DATABASE_URL, embeddedPort: e.AMBIT_EMBEDDED_DB_PORT },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      // A namespace from a TEMPORAL_CONFIG_FILE profile counts unless TEMPORAL_NAMESPACE is set explicitly.
      namespace: source['TEMPORAL_NAMESPACE'] ? e.TEMPORAL_NAMESPACE : (connect?.namespace ?? e.TEMPORAL_NAMESPACE),
      apiKey: e.TEMPORAL_API_KEY,
      connect,
      tls:
        e.TEMPORAL_TLS !== undefined || e.TEMPORAL_TLS_CLIENT_CERT_PATH
          ? {
              enabled: e.TEMPORAL_TLS ?? true,
              clientCertPath: e.TEMPORAL_TLS_CLIENT_CERT_PATH,
              clientKeyPath: e.TEMPORAL_TLS_CLIENT_KEY_PATH,
              serverCaCertPath: e.TEMPORAL_TLS_SERVER_CA_CERT_PATH,
              serverName: e.TEMPORAL_TLS_SERVER_NAME,
            }
          : undefined,
      cliPath: e.TEMPORAL_CLI_PATH,
      localPort: e.AMBIT_TEMPORAL_PORT,
      localUiPort: e.AMBIT_TEMPORAL_UI_PORT,
      uiUrl,
      taskQueuePrefix: e.AMBIT_TASK_QUEUE_PREFIX,
    },
    worker: {
      hostId: e.AMBIT_HOST_ID,
      maxConcurrentRuns: e.AMBIT_MAX_CONCURRENT_RUNS,
      platform: e.AMBIT_WORKER_PLATFORM,
    },
    host: {
      maxRuns: e.AMBIT_HOST_MAX_RUNS ?? e.AMBIT_MAX_CONCURRENT_RUNS,
      reportIntervalMs: e.AMBIT_HOST_REPORT_SECONDS * 1000,
      ...(e.AMBIT_HOST_DEFAULT_IMAGE ? { defaultImage: e.AMBIT_HOST_DEFAULT_IMAGE } : {}),
      limits: {
        ...(e.AMBIT_HOST_CPUS !== undefined ? { cpus: e.AMBIT_HOST_CPUS } : {}),
        ...(e.AMBIT_HOST_MEMORY_MB !== undefined ? { memoryMb: e.AMBIT_HOST_MEMORY_MB } : {}),
        ...(e.AMBIT_HOST_PIDS !== undefined ? { pids: e.AMBIT_HOST_PIDS } : {}),
      },
      ...(e.AMBIT_HOST_NETWORK ? { network: e.AMBIT_HOST_NETWORK } : {}),
      ...(e.AMBIT_REGISTRY_AUTH ? { registryAuth: e.AMBIT_REGISTRY_AUTH } : {}),
    },
    docker: dockerConnection(e),
    snapshots: e.AMBIT_SNAPSHOTS
      ? {
          ttlMs: Math.round(e.AMBIT_SNAPSHOT_TTL_HOURS * 3_600_000),
          maxBytes: Math.round(e.AMBIT_SNAPSHOT_MAX_GB * 1024 ** 3),
        }
      : undefined,
    models: {
      defaultModelId: e.AMBIT_DEFAULT_MODEL,
      streaming: e.AMBIT_MODEL_STREAMING,
      openai: { ...keyOrSecret(e.OPENAI_API_KEY), baseURL: e.OPENAI_BASE_URL, models: list(e.OPENAI_MODELS) },
      anthropic: {
        ...keyOrSecret(e.ANTHROPIC_API_KEY),
        baseURL: e.ANTHROPIC_BASE_URL,
        models: list(e.ANTHROPIC_MODELS),
      },
      openaiCompatible: {
        ...keyOrSecret(e.OPENAI_COMPATIBLE_API_KEY),
        baseURL: e.OPENAI_COMPATIBLE_BASE_URL,
        models: list(e.OPENAI_COMPATIBLE_MODELS),
      },
    },
    harness: {
      commands: {
        claude: e.AMBIT_HARNESS_CLAUDE_COMMAND,
        codex: e.AMBIT_HARNESS_CODEX_COMMAND,
        gemini: e.AMBIT_HARNESS_GEMINI_COMMAND,
        oz: e.AMBIT_HARNESS_OZ_COMMAND,
      },
      credentials,
    },
    bootstrapApiKey: e.AMBIT_BOOTSTRAP_API_KEY,
    secrets: secretsConfig(e, uiUrl),
  };
}

function keyOrSecret(v: string | undefined): Pick<ModelProviderConfig, 'apiKey' | 'apiKeySecret'> {
  if (v === undefined) return {};
  return SECRET_REF.test(v) ? { apiKeySecret: v.slice(SECRET_REF_PREFIX.length) } : { apiKey: v };
}

const MASTER_KEY_HELP =
  'AMBIT_MASTER_KEY: required when NODE_ENV=production (it encrypts every secret); create one with ' +
  '`openssl rand -base64 32`, keep it in your secret manager, and set it on the API and platform workers';

/**
 * Production refuses to start without a master key: a generated development key beside the data would protect
 * nothing. A host-only worker (AMBIT_WORKER_PLATFORM=false) may instead hold just AMBIT_HOST_SECRETS_KEY.
 */
function secretsConfig(e: Env, uiUrl: string): SecretsConfig {
  const production = e.NODE_ENV === 'production';
  if (production && !e.AMBIT_MASTER_KEY && !(e.AMBIT_HOST_SECRETS_KEY && !e.AMBIT_WORKER_PLATFORM)) {
    throw new ConfigError(`Invalid configuration:\n  ${MASTER_KEY_HELP}`);
  }
  return {
    masterKey: e.AMBIT_MASTER_KEY,
    previousMasterKey: e.AMBIT_MASTER_KEY_PREVIOUS,
    hostKey: e.AMBIT_HOST_SECRETS_KEY,
    allowDevelopmentKeys: !production,
    payloadCodec: e.AMBIT_TEMPORAL_PAYLOAD_KEY
      ? { key: e.AMBIT_TEMPORAL_PAYLOAD_KEY, corsOrigin: e.AMBIT_TEMPORAL_CODEC_ORIGIN ?? (uiUrl || undefined) }
      : undefined,
  };
}

const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** DOCKER_HOST as dockerode takes it. With AMBIT_DOCKER=auto, the default socket counts when it exists. */
function dockerConnection(e: Env): AppConfig['docker'] {
  if (e.AMBIT_DOCKER === 'off') return undefined;
  if (e.DOCKER_HOST?.startsWith('unix://')) return { socketPath: e.DOCKER_HOST.slice('unix://'.length) };
  if (e.DOCKER_HOST) {
    const u = new URL(e.DOCKER_HOST.replace(/^tcp:/, 'http:'));
    return { host: u.hostname, port: Number(u.port) };
  }
  if (e.AMBIT_DOCKER === 'on' || fs.existsSync(DEFAULT_DOCKER_SOCKET)) return { socketPath: DEFAULT_DOCKER_SOCKET };
  return undefined;
}

/** Task queue names are prefixed so Ambit can share a namespace with a team's other workflows. */
export function runsTaskQueue(prefix: string): string {
  return `${prefix}-runs`;
}
export function hostTaskQueue(prefix: string, hostId: string): string {
  return `${prefix}-host-${hostId}`;
}
/** The one workflow host workers report to (GET /hosts reads it). */
export function hostRegistryWorkflowId(prefix: string): string {
  return `${prefix}-hosts`;
}
