/**
 * Activities on real parts, run one at a time in Temporal's MockActivityEnvironment: a migrated database of
 * either kind, a WorkspaceProvider in a temporary directory, and the real AI SDK providers talking to the scripted
 * model server. Nothing here is a stub; the deps object is typed by `ActivityDeps`, so it stays what the worker
 * builds.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { createActivities, type ActivityDeps } from '../../activities';
import { WorkspaceProvider } from '../../activities/environment/workspace-provider';
import { createModelGateway } from '../../activities/model/registry';
import { BUILTIN_TOOLS } from '../../activities/tools/builtin';
import { DEFAULT_TEAM_ID, ensureDefaults } from '../../src/db/bootstrap';
import type { Db } from '../../src/db/client';
import type { Prisma } from '../../src/generated/prisma/client';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { createTestDatabase, type DbKind, type TestDatabase } from '../helpers/database';

export const MODEL_KEY = 'sk-activities-test';
export const COMPATIBLE_MODEL = 'openai-compatible/scripted-1';
export const TASK_QUEUE_PREFIX = 'acttest';
export const DEFAULT_HOST_ID = 'local';

export interface ActivityHarness {
  database: TestDatabase;
  db: Db;
  models: ScriptedModelServer;
  /** Temporary directory holding `workspaces/` and anything a test keeps outside the workspaces. */
  root: string;
  workspaces: WorkspaceProvider;
  deps: ActivityDeps;
  activities: Activities;
  close(): Promise<void>;
}

export interface ActivityHarnessOptions {
  dbKind: DbKind;
  settings?: Partial<ActivityDeps['settings']>;
}

export async function startActivityHarness(options: ActivityHarnessOptions): Promise<ActivityHarness> {
  const database = await createTestDatabase(options.dbKind);
  const models = await startScriptedModelServer({ apiKey: MODEL_KEY });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-activities-'));
  await ensureDefaults(database.db, { dataDir: root });
  const workspaces = new WorkspaceProvider(path.join(root, 'workspaces'));
  const deps: ActivityDeps = {
    db: database.db,
    models: createModelGateway({
      openai: { apiKey: MODEL_KEY, baseURL: models.url, models: [] },
      anthropic: { apiKey: MODEL_KEY, baseURL: models.anthropicUrl, models: [] },
      openaiCompatible: { apiKey: MODEL_KEY, baseURL: models.url, models: [] },
      streaming: true,
    }),
    environments: workspaces,
    logger: pino({ level: 'silent' }),
    settings: {
      defaultModelId: COMPATIBLE_MODEL,
      streaming: true,
      defaultHostId: DEFAULT_HOST_ID,
      taskQueuePrefix: TASK_QUEUE_PREFIX,
      harness: { commands: {}, credentials: {} },
      ...options.settings,
    },
  };
  return {
    database,
    db: database.db,
    models,
    root,
    workspaces,
    deps,
    activities: createActivities(deps),
    async close() {
      await models.close();
      await database.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Failures the tests expect would otherwise be logged by the mock environment's default logger. */
export function activityEnvironment(): MockActivityEnvironment {
  return new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR', () => undefined) });
}

export type Activities = ReturnType<typeof createActivities>;
type ActivityName = keyof Activities;

/**
 * Runs one activity the way a worker would, in an activity context of its own (or `env`'s, to cancel it). Called
 * by name because activities are methods of the object the factory returns.
 */
export function runActivity<N extends ActivityName>(
  activities: Activities,
  name: N,
  input: Parameters<Activities[N]>[0],
  env: MockActivityEnvironment = activityEnvironment(),
): ReturnType<Activities[N]> {
  const call = (arg: typeof input) => (activities[name] as (a: typeof input) => ReturnType<Activities[N]>)(arg);
  return env.run(call, input) as ReturnType<Activities[N]>;
}

/** The rejection of `promise`, failing the test when it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the activity to fail, but it succeeded');
}

export interface SeedRunOptions {
  teamId?: string;
  prompt?: string;
  requestConfig?: Prisma.InputJsonValue;
  agentConfig?: Prisma.InputJsonValue;
  /** Offer the built-in tools, as discoverTools would have. Default true. */
  builtinTools?: boolean;
  /** Open the transcript with the prompt, as resolveRunConfig would have. Default false. */
  seedPrompt?: boolean;
  state?: string;
}

/** A Run row as the API creates it (QUEUED), optionally advanced to where a given activity finds it. */
export async function seedRun(db: Db, options: SeedRunOptions = {}): Promise<string> {
  const id = `run-${randomUUID()}`;
  const prompt = options.prompt ?? 'Do the task';
  await db.run.create({
    data: {
      id,
      teamId: options.teamId ?? DEFAULT_TEAM_ID,
      creatorType: 'user',
      scopeType: 'Team',
      title: 'activity test',
      prompt,
      state: options.state ?? 'QUEUED',
      source: 'API',
      executionLocation: 'REMOTE',
      requestConfig: options.requestConfig ?? {},
      conversationId: id,
      ...(options.agentConfig !== undefined ? { agentConfig: options.agentConfig } : {}),
      ...(options.builtinTools === false ? {} : { toolDefinitions: BUILTIN_TOOLS as unknown as Prisma.InputJsonValue }),
    },
  });
  if (options.seedPrompt) {
    await db.runMessage.create({ data: { runId: id, key: 'prompt', seq: 1, turn: 0, role: 'user', content: prompt } });
  }
  return id;
}

/** Polls until `check` holds: for effects observed on another connection (a server noticing a dropped client). */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Asserts a permanent, user-side failure: the workflow ends the run FAILED with `errorCode`, without retrying. */
export function expectUserFailure(err: unknown, type: string, errorCode: string): ApplicationFailure {
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure.type).toBe(type);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.details?.[0]).toEqual({ errorCode });
  return failure;
}

/** Asserts an error Temporal's retry policy will retry: anything but a non-retryable ApplicationFailure. */
export function expectRetryable(err: unknown): void {
  expect(err).toBeInstanceOf(Error);
  expect(err instanceof ApplicationFailure && err.nonRetryable).toBe(false);
}
