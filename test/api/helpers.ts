/**
 * A real API server over a real database and the suite's real Temporal dev server. Each harness uses its own task
 * queue prefix, so no worker ever picks its workflows up: runs stay QUEUED, which is what API tests need.
 */
import { randomUUID } from 'node:crypto';
import { Client, type Connection, WorkflowNotFoundError } from '@temporalio/client';
import pino from 'pino';
import { startApiServer } from '../../src/api/server';
import { loadConfig, type AppConfig } from '../../src/config';
import { generateApiKey } from '../../src/db/api-keys';
import type { Db } from '../../src/db/client';
import type { Prisma } from '../../src/generated/prisma/client';
import { createTestDatabase, type DbKind, type TestDatabase } from '../helpers/database';
import { connectClient, temporalAddress, uniquePrefix } from '../helpers/temporal';

export const PUBLIC_URL = 'http://ambit.test';

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AMBIT_PUBLIC_URL: PUBLIC_URL,
    TEMPORAL_ADDRESS: temporalAddress(),
    AMBIT_TASK_QUEUE_PREFIX: uniquePrefix('api'),
    ...env,
  });
}

export const silentLogger = pino({ level: 'silent' });

export interface TeamKeys {
  teamId: string;
  /** User keys by role, and a team key without a user. */
  admin: string;
  member: string;
  otherMember: string;
  viewer: string;
  team: string;
  users: { admin: string; member: string; otherMember: string; viewer: string };
}

async function createKey(db: Db, teamId: string, userId: string | null, scope: 'personal' | 'team'): Promise<string> {
  const k = generateApiKey();
  await db.apiKey.create({
    data: { id: `key_${randomUUID()}`, name: 'test key', prefix: k.prefix, hash: k.hash, teamId, userId, scope },
  });
  return k.key;
}

/** A new team with an admin, two members, a viewer (one personal key each) and a team key. */
export async function createTeam(db: Db, label = 'team'): Promise<TeamKeys> {
  const teamId = `${label}-${randomUUID().slice(0, 8)}`;
  await db.team.create({ data: { id: teamId, name: `Team ${label}` } });
  const users = {
    admin: `${teamId}-admin`,
    member: `${teamId}-member`,
    otherMember: `${teamId}-member2`,
    viewer: `${teamId}-viewer`,
  };
  const roles = { admin: 'admin', member: 'member', otherMember: 'member', viewer: 'viewer' } as const;
  for (const [who, id] of Object.entries(users) as [keyof typeof users, string][]) {
    await db.user.create({ data: { id, displayName: `${who} of ${label}` } });
    await db.membership.create({ data: { teamId, userId: id, role: roles[who] } });
  }
  return {
    teamId,
    users,
    admin: await createKey(db, teamId, users.admin, 'personal'),
    member: await createKey(db, teamId, users.member, 'personal'),
    otherMember: await createKey(db, teamId, users.otherMember, 'personal'),
    viewer: await createKey(db, teamId, users.viewer, 'personal'),
    team: await createKey(db, teamId, null, 'team'),
  };
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface Harness {
  url: string;
  db: Db;
  temporal: Client;
  connection: Connection;
  config: AppConfig;
  database: TestDatabase;
  request<T = unknown>(
    method: string,
    path: string,
    opts?: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  /** Terminates every workflow whose id the test registered (runs created through the API are registered). */
  track(runId: string): void;
  close(): Promise<void>;
}

export async function startHarness(
  kind: DbKind,
  options: { env?: Record<string, string>; namespace?: string } = {},
): Promise<Harness> {
  const database = await createTestDatabase(kind);
  const { connection } = await connectClient();
  const temporal = new Client({ connection, namespace: options.namespace ?? 'default' });
  const config = testConfig(options.env);
  const server = await startApiServer({
    db: database.db,
    temporal,
    config,
    logger: silentLogger,
    port: 0,
    host: '127.0.0.1',
  });
  const started = new Set<string>();
  const harness: Harness = {
    url: server.url,
    db: database.db,
    temporal,
    connection,
    config,
    database,
    track: (id) => started.add(id),
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.key !== undefined) headers['authorization'] = `Bearer ${opts.key}`;
      let body: string | undefined;
      if (opts.rawBody !== undefined || opts.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = opts.rawBody ?? JSON.stringify(opts.body);
      }
      const res = await fetch(`${server.url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON: keep the text for the assertion message
      }
      if (method === 'POST' && res.status === 200 && (path === '/api/v1/agent/runs' || path === '/api/v1/agent/run')) {
        const runId = (parsed as { run_id?: string } | undefined)?.run_id;
        if (runId) started.add(runId);
      }
      return { status: res.status, headers: res.headers, body: parsed as never };
    },
    async close() {
      await server.close();
      const main = new Client({ connection, namespace: 'default' });
      for (const id of started) {
        await main.workflow
          .getHandle(id)
          .terminate('test finished')
          .catch((err: unknown) => {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          });
      }
      await connection.close();
      await database.close();
    },
  };
  return harness;
}

let seq = 0;

/** Inserts a run row directly (no workflow), for list, mapping and reconcile tests. */
export async function insertRun(
  db: Db,
  teamId: string,
  data: Partial<Prisma.RunUncheckedCreateInput> = {},
): Promise<string> {
  seq += 1;
  const id =
    data.id ?? `run_test${Date.now().toString(36)}${seq.toString().padStart(4, '0')}${randomUUID().slice(0, 4)}`;
  await db.run.create({
    data: {
      id,
      teamId,
      creatorType: 'service_account',
      scopeType: 'Team',
      title: `Run ${seq}`,
      prompt: `prompt ${seq}`,
      state: 'QUEUED',
      source: 'API',
      executionLocation: 'REMOTE',
      requestConfig: {},
      conversationId: randomUUID(),
      ...data,
    },
  });
  return id;
}
