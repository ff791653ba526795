/**
 * The production stack definition must stay valid: Docker Compose itself parses and interpolates
 * docker-compose.temporal.yml, and the wiring the product relies on (services, commands, env, start order) is
 * checked on its normalized output. Needs Compose v2: `docker compose`, or the pinned binary that
 * `bash docker/fetch-compose.sh` installs (.ci/run does).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const ROOT = path.resolve(__dirname, '../..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.temporal.yml');
const BOOTSTRAP_KEY = 'compose-test-key-0123456789abcdef';

const ServiceSchema = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), dockerfile: z.string() }).optional(),
  command: z.array(z.string()).nullish(),
  environment: z.record(z.string(), z.string().nullable()).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  healthcheck: z.object({ test: z.array(z.string()) }).optional(),
  volumes: z.array(z.object({ source: z.string().optional(), target: z.string() })).optional(),
});
const ConfigSchema = z.object({ services: z.record(z.string(), ServiceSchema) });
type Service = z.infer<typeof ServiceSchema>;

/** Compose v2 as `[command, ...prefixArgs]`, or undefined. v1 (`docker-compose` 1.x) lacks features the file uses. */
function findCompose(): string[] | undefined {
  const candidates = [[path.join(ROOT, '.tools/compose/docker-compose')], ['docker', 'compose'], ['docker-compose']];
  for (const [cmd, ...args] of candidates) {
    if (!cmd) continue;
    const probe = spawnSync(cmd, [...args, 'version', '--short'], { encoding: 'utf8' });
    if (probe.status === 0 && /^v?2\./.test(probe.stdout.trim())) return [cmd, ...args];
  }
  return undefined;
}

function compose(env: Record<string, string>, ...args: string[]) {
  const found = findCompose();
  if (!found) {
    throw new Error(
      'Docker Compose v2 is needed to validate docker-compose.temporal.yml and none was found ' +
        '(tried .tools/compose/docker-compose, `docker compose`, `docker-compose`). Run `bash docker/fetch-compose.sh` ' +
        '(.ci/run does) or install the Docker Compose plugin.',
    );
  }
  const [cmd, ...prefix] = found as [string, ...string[]];
  // An isolated env file and environment, so a developer's own .env or shell cannot make the test pass or fail.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-compose-'));
  const envFile = path.join(dir, 'stack.env');
  fs.writeFileSync(
    envFile,
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  try {
    return spawnSync(cmd, [...prefix, '-f', COMPOSE_FILE, '--env-file', envFile, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: os.tmpdir() },
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function loadStack(env: Record<string, string> = { AMBIT_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY }) {
  const result = compose(env, 'config', '--format', 'json');
  if (result.status !== 0) throw new Error(`docker compose config failed:\n${result.stderr}`);
  return ConfigSchema.parse(JSON.parse(result.stdout));
}

function service(stack: z.infer<typeof ConfigSchema>, name: string): Service {
  const found = stack.services[name];
  if (!found) throw new Error(`service ${name} is missing from docker-compose.temporal.yml`);
  return found;
}

describe('docker-compose.temporal.yml', () => {
  it('passes `docker compose config` and defines every service of the stack', () => {
    const result = compose({ AMBIT_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY }, 'config', '--quiet');

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(Object.keys(loadStack().services).sort()).toEqual([
      'ambit-api',
      'ambit-postgres',
      'ambit-worker',
      'temporal',
      'temporal-namespace',
      'temporal-postgres',
      'temporal-schema',
      'temporal-ui',
    ]);
  });

  it('refuses to render without AMBIT_BOOTSTRAP_API_KEY, naming the variable', () => {
    const result = compose({}, 'config', '--quiet');

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('AMBIT_BOOTSTRAP_API_KEY');
  });

  it('runs the API and worker from the Dockerfile build with the compiled entry points', () => {
    const stack = loadStack();
    const api = service(stack, 'ambit-api');
    const worker = service(stack, 'ambit-worker');

    for (const s of [api, worker]) {
      expect(s.build?.dockerfile).toBe('Dockerfile');
      expect(s.build?.context).toBe(ROOT);
    }
    expect(api.command).toEqual(['node', 'dist/workers/api.js']);
    expect(worker.command).toEqual(['node', 'dist/workers/main.js']);
    // Each compiled entry point comes from a source file the build compiles.
    for (const command of [api.command, worker.command]) {
      const source = (command?.[1] ?? '').replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect(fs.existsSync(path.join(ROOT, source))).toBe(true);
    }
  });

  it('wires the database, Temporal and the bootstrap key into the Ambit services', () => {
    const stack = loadStack({ AMBIT_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY, TEMPORAL_NAMESPACE: 'agents' });

    for (const name of ['ambit-api', 'ambit-worker']) {
      const env = service(stack, name).environment ?? {};
      expect(env['DATABASE_URL']).toMatch(/^postgres:\/\/ambit:[^@]+@ambit-postgres:5432\/ambit$/);
      expect(env['TEMPORAL_ADDRESS']).toBe('temporal:7233');
      expect(env['TEMPORAL_NAMESPACE']).toBe('agents');
      expect(env['AMBIT_TASK_QUEUE_PREFIX']).toBe('ambit');
      expect(env['AMBIT_BOOTSTRAP_API_KEY']).toBe(BOOTSTRAP_KEY);
    }
    expect(service(stack, 'ambit-api').environment?.['AMBIT_HOST']).toBe('0.0.0.0');
    expect(service(stack, 'temporal-namespace').environment?.['TEMPORAL_NAMESPACE']).toBe('agents');
    expect(service(stack, 'temporal').environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'temporal-postgres',
    });
  });

  it('starts in dependency order, gated on health checks and completed setup jobs', () => {
    const stack = loadStack();
    const conditions = (name: string) =>
      Object.fromEntries(Object.entries(service(stack, name).depends_on ?? {}).map(([k, v]) => [k, v.condition]));

    expect(conditions('temporal-schema')).toEqual({ 'temporal-postgres': 'service_healthy' });
    expect(conditions('temporal')).toEqual({ 'temporal-schema': 'service_completed_successfully' });
    expect(conditions('temporal-namespace')).toEqual({ temporal: 'service_healthy' });
    expect(conditions('temporal-ui')).toEqual({ temporal: 'service_healthy' });
    // The API migrates the schema at start-up; the worker waits for it.
    expect(conditions('ambit-api')).toEqual({
      'ambit-postgres': 'service_healthy',
      'temporal-namespace': 'service_completed_successfully',
    });
    expect(conditions('ambit-worker')).toEqual({
      'ambit-api': 'service_healthy',
      'temporal-namespace': 'service_completed_successfully',
    });
    for (const name of ['temporal-postgres', 'ambit-postgres', 'temporal', 'ambit-api']) {
      expect(service(stack, name).healthcheck?.test.length).toBeGreaterThan(0);
    }
    expect(service(stack, 'ambit-api').healthcheck?.test.join(' ')).toContain('/api/v1/health');
  });

  it('mounts setup scripts and dynamic config that exist and are valid shell', () => {
    const stack = loadStack();
    const mounts = ['temporal-schema', 'temporal-namespace', 'temporal'].flatMap((name) =>
      (service(stack, name).volumes ?? []).map((v) => v.source ?? ''),
    );

    for (const source of mounts) expect(fs.existsSync(source)).toBe(true);
    for (const script of ['setup-schema.sh', 'create-namespace.sh']) {
      const file = path.join(ROOT, 'docker/temporal', script);
      expect(spawnSync('sh', ['-n', file]).status).toBe(0);
      expect(service(stack, script === 'setup-schema.sh' ? 'temporal-schema' : 'temporal-namespace').command).toEqual([
        `/ambit-temporal/${script}`,
      ]);
    }
    expect(service(stack, 'temporal').environment?.['DYNAMIC_CONFIG_FILE_PATH']).toBe(
      'config/dynamicconfig/production-sql.yaml',
    );
    expect(fs.existsSync(path.join(ROOT, 'docker/temporal/dynamicconfig/production-sql.yaml'))).toBe(true);
  });
});

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

  it('builds in stages with offline Prisma generation and runs as a non-root user on Node 20 slim', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-[a-z]+-slim$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS build$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toContain('npm run db:generate && npm run build');
    expect(dockerfile).toMatch(/^USER ambit$/m);
  });

  it('keeps local state and secrets out of the build context', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');

    for (const entry of ['.env', 'node_modules', 'dist', '.data', '.tools', 'src/generated', '.git']) {
      expect(ignored).toContain(entry);
    }
  });
});
