/**
 * Core run routes over real HTTP, a real database of each kind and the real Temporal dev server: create, get,
 * list, cancel, auth, team scoping and validation.
 */
import { z } from 'zod';
import { runsTaskQueue } from '../../src/config';
import { AGENT_RUN_WORKFLOW_TYPE, type AgentRunWorkflowInput } from '../../workflows/definitions';
import {
  ListRunsResponseSchema,
  RunAgentResponseSchema,
  RunItemSchema,
  type ListRunsResponse,
  type ListTasksResponse,
  type Problem,
  type RunAgentResponse,
  type RunItem,
} from '../../src/domain';
import { DB_KINDS } from '../helpers/database';
import { createTeam, insertRun, PUBLIC_URL, startHarness, type Harness, type TeamKeys } from './helpers';

const StrictRunItem = z.strictObject(RunItemSchema.shape);

function expectProblem(
  res: { status: number; headers: Headers; body: unknown },
  status: number,
  code: string,
): Problem {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = res.body as Problem;
  expect(body.type.endsWith(`/${code}`)).toBe(true);
  expect(body.status).toBe(status);
  expect(body.error).toBe(`${body.title} (${body.detail})`);
  expect(typeof body.instance).toBe('string');
  return body;
}

describe.each(DB_KINDS)('runs API on %s', (kind) => {
  let h: Harness;
  let a: TeamKeys;
  let b: TeamKeys;

  beforeAll(async () => {
    h = await startHarness(kind);
    a = await createTeam(h.db, 'a');
    b = await createTeam(h.db, 'b');
  });
  afterAll(async () => {
    await h?.close();
  });

  const create = (key: string, body: unknown) =>
    h.request<RunAgentResponse>('POST', '/api/v1/agent/runs', { key, body });

  describe('authentication', () => {
    it('answers 401 without a key, with a malformed header and with an unknown or revoked key', async () => {
      const none = await h.request('GET', '/api/v1/agent/runs');
      expectProblem(none, 401, 'authentication_required');
      expect(none.headers.get('www-authenticate')).toBe('Bearer');

      const basic = await h.request('GET', '/api/v1/agent/runs', { headers: { authorization: 'Basic abc' } });
      expectProblem(basic, 401, 'authentication_required');

      const unknown = await h.request('GET', '/api/v1/agent/runs', {
        key: 'ambit_notarealkey000000000000000000000000',
      });
      expectProblem(unknown, 401, 'authentication_required');

      const revokedTeam = await createTeam(h.db, 'revoked');
      await h.db.apiKey.updateMany({
        where: { teamId: revokedTeam.teamId },
        data: { revokedAt: new Date(Date.now() - 1000) },
      });
      const revoked = await h.request('GET', '/api/v1/agent/runs', { key: revokedTeam.member });
      expectProblem(revoked, 401, 'authentication_required');

      for (const [method, path] of [
        ['POST', '/api/v1/agent/runs'],
        ['POST', '/api/v1/agent/run'],
        ['GET', '/api/v1/agent/runs/run_x'],
        ['POST', '/api/v1/agent/runs/run_x/cancel'],
        ['GET', '/api/v1/agent/runs/run_x/conversation'],
        ['GET', '/api/v1/agent/models'],
        ['GET', '/api/v1/agent/tasks'],
        ['GET', '/api/v1/agent/tasks/run_x'],
        ['POST', '/api/v1/agent/tasks/run_x/cancel'],
      ] as const) {
        expect((await h.request(method, path)).status).toBe(401);
      }
    });

    it('serves health and the OpenAPI document without a key', async () => {
      expect((await h.request('GET', '/api/v1/health')).status).toBe(200);
      expect((await h.request('GET', '/api/v1/openapi.json')).status).toBe(200);
    });

    it('answers 404 problems for unknown routes', async () => {
      expectProblem(await h.request('GET', '/api/v1/agent/nothing-here', { key: a.member }), 404, 'resource_not_found');
      expectProblem(await h.request('GET', '/nothing-here'), 404, 'resource_not_found');
    });
  });

  describe('create', () => {
    it('creates a QUEUED run and starts its workflow with the run id as workflow id', async () => {
      const env = await h.request<{ id: string }>('POST', '/api/v1/environments', {
        key: a.admin,
        body: { name: 'triage', docker_image: 'ubuntu:24.04' },
      });
      const environmentId = env.body.id;
      const res = await create(a.member, {
        prompt: 'Fix the flaky login test\nIt fails on CI about once a day.',
        config: { name: 'triage', model_id: 'openai/gpt-4o', environment_id: environmentId },
        metadata: { ticket: 'T-1' },
      });
      expect(res.status).toBe(200);
      const body = RunAgentResponseSchema.parse(res.body);
      expect(body).toEqual({ run_id: body.run_id, task_id: body.run_id, state: 'QUEUED', at_capacity: false });
      expect(body.run_id).toMatch(/^run_[0-9a-f]{24}$/);

      const description = await h.temporal.workflow.getHandle(body.run_id).describe();
      expect(description.workflowId).toBe(body.run_id);
      expect(description.type).toBe(AGENT_RUN_WORKFLOW_TYPE);
      expect(description.taskQueue).toBe(runsTaskQueue(h.config.temporal.taskQueuePrefix));
      expect(description.status.name).toBe('RUNNING');
      const history = await h.temporal.workflow.getHandle(body.run_id).fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      const payload = started?.input?.payloads?.[0]?.data;
      const input = JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString('utf8')) as AgentRunWorkflowInput;
      expect(input).toEqual({ runId: body.run_id });

      const row = await h.db.run.findUniqueOrThrow({ where: { id: body.run_id }, include: { events: true } });
      expect(row).toMatchObject({
        teamId: a.teamId,
        creatorUserId: a.users.member,
        creatorType: 'user',
        scopeType: 'Team',
        title: 'Fix the flaky login test',
        state: 'QUEUED',
        source: 'API',
        executionLocation: 'REMOTE',
        configName: 'triage',
        modelId: 'openai/gpt-4o',
        environmentId,
        parentRunId: null,
        ancestorRunIds: [],
        metadata: { ticket: 'T-1' },
        requestConfig: { name: 'triage', model_id: 'openai/gpt-4o', environment_id: environmentId },
      });
      expect(row.conversationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.events.map((e) => ({ key: e.key, type: e.type, data: e.data }))).toEqual([
        { key: 'created', type: 'state_changed', data: { state: 'QUEUED' } },
      ]);
    });

    it('treats POST /agent/run exactly like POST /agent/runs', async () => {
      const res = await h.request<RunAgentResponse>('POST', '/api/v1/agent/run', {
        key: a.member,
        body: { prompt: 'hi' },
      });
      expect(res.status).toBe(200);
      expect(res.body.state).toBe('QUEUED');
      await expect(h.temporal.workflow.getHandle(res.body.run_id).describe()).resolves.toBeDefined();
    });

    it('generates a title of at most 80 characters from the first non-empty line', async () => {
      const long = `   \n${'word '.repeat(40)}\nsecond line`;
      const res = await create(a.member, { prompt: long });
      const row = await h.db.run.findUniqueOrThrow({ where: { id: res.body.run_id } });
      expect(row.title.length).toBeLessThanOrEqual(80);
      expect(row.title.startsWith('word word')).toBe(true);
      expect(row.title.endsWith('…')).toBe(true);

      const titled = await create(a.member, { prompt: 'x', title: 'My title' });
      expect((await h.db.run.findUniqueOrThrow({ where: { id: titled.body.run_id } })).title).toBe('My title');
    });

    it('ignores unknown fields and keeps the request source', async () => {
      const res = await create(a.member, { prompt: 'x', no_such_field: 1, config: { other: true }, source: 'CLI' });
      expect(res.status).toBe(200);
      const row = await h.db.run.findUniqueOrThrow({ where: { id: res.body.run_id } });
      expect(row.source).toBe('CLI');
      expect(row.requestConfig).toEqual({});
    });

    it('names every invalid field, and the fix, in a 400', async () => {
      const res = await create(a.member, {
        prompt: 5,
        team: 'yes',
        config: { model_id: 'gpt-4o', idle_timeout_minutes: 0, mcp_servers: { fs: { command: 'x', url: 'http://y' } } },
        attachments: Array.from({ length: 6 }, () => ({ file_name: 'a', mime_type: 'text/plain', data: 'eA==' })),
        metadata: { 'bad key!': 'v' },
      });
      const problem = expectProblem(res, 400, 'invalid_request');
      expect(problem.retryable).toBe(false);
      for (const field of [
        'prompt:',
        'team:',
        'config.model_id: model_id must look like "<provider>/<model>"',
        'config.idle_timeout_minutes:',
        'config.mcp_servers.fs:',
        'attachments: at most 5 attachments',
        'metadata.bad key!: metadata keys must match [a-zA-Z0-9._-]{1,64}',
      ]) {
        expect(problem.detail).toContain(field);
      }
    });

    it('requires a prompt unless a skill or saved prompt is given, and a skill that names a readable SKILL.md', async () => {
      const problem = expectProblem(await create(a.member, { title: 'no prompt' }), 400, 'invalid_request');
      expect(problem.detail).toContain(
        'prompt: prompt is required unless skill, config.skill_spec or config.saved_prompt is given',
      );
      // Skills resolve at creation (test/api/team.test.ts runs a real one); an unreadable one creates nothing.
      const before = await h.db.run.count({ where: { teamId: a.teamId } });
      expect(
        expectProblem(await create(a.member, { skill: 'acme/repo:deploy' }), 400, 'invalid_request').detail,
      ).toMatch(/^skill: /);
      expect(await h.db.run.count({ where: { teamId: a.teamId } })).toBe(before);
    });

    it('keeps the request fields without a column of their own on the creation event', async () => {
      const attachments = [{ file_name: 'notes.txt', mime_type: 'text/plain', data: 'aGVsbG8=' }];
      const res = await create(a.member, {
        prompt: 'with extras',
        mode: 'plan',
        interactive: true,
        attachments,
      });
      expect(res.status).toBe(200);
      const event = await h.db.runEvent.findFirstOrThrow({ where: { runId: res.body.run_id, key: 'created' } });
      expect(event.data).toEqual({
        state: 'QUEUED',
        mode: 'plan',
        interactive: true,
        attachments,
      });
    });

    it('answers 400 for malformed JSON and for a body that is not an object', async () => {
      const malformed = await h.request('POST', '/api/v1/agent/runs', { key: a.member, rawBody: '{"prompt": ' });
      expect(expectProblem(malformed, 400, 'invalid_request').detail).toContain('malformed JSON');
      const array = await h.request('POST', '/api/v1/agent/runs', { key: a.member, rawBody: '[1]' });
      expect(expectProblem(array, 400, 'invalid_request').detail).toContain('body:');
      const none = await h.request('POST', '/api/v1/agent/runs', { key: a.member });
      expect(expectProblem(none, 400, 'invalid_request').detail).toContain('body:');
    });

    it('refuses viewers with 403', async () => {
      expectProblem(await create(a.viewer, { prompt: 'x' }), 403, 'not_authorized');
    });

    it('links a child to its parent: ancestors, inherited metadata (request keys win)', async () => {
      const root = await create(a.member, { prompt: 'root', metadata: { project: 'p1', stage: 'root' } });
      const child = await create(a.member, {
        prompt: 'child',
        parent_run_id: root.body.run_id,
        metadata: { stage: 'child' },
      });
      expect(child.status).toBe(200);
      const grandchild = await create(a.member, { prompt: 'grandchild', parent_run_id: child.body.run_id });
      const row = await h.db.run.findUniqueOrThrow({ where: { id: grandchild.body.run_id } });
      expect(row.parentRunId).toBe(child.body.run_id);
      expect(row.ancestorRunIds).toEqual([root.body.run_id, child.body.run_id]);
      expect(row.metadata).toEqual({ project: 'p1', stage: 'child' });

      const listed = await h.request<ListRunsResponse>(
        'GET',
        `/api/v1/agent/runs?ancestor_run_id=${root.body.run_id}&sort_by=created_at&sort_order=asc`,
        { key: a.member },
      );
      expect(listed.body.runs.map((r) => r.run_id)).toEqual([child.body.run_id, grandchild.body.run_id]);
      expect(listed.body.runs[1]?.parent_run_id).toBe(child.body.run_id);
    });

    it('answers 404 for a parent of another team, and creates no row', async () => {
      const foreign = await create(b.member, { prompt: 'b' });
      const before = await h.db.run.count({ where: { teamId: a.teamId } });
      const res = await create(a.member, { prompt: 'x', parent_run_id: foreign.body.run_id });
      expectProblem(res, 404, 'resource_not_found');
      expect(await h.db.run.count({ where: { teamId: a.teamId } })).toBe(before);
    });

    it('refuses a personal run from a team key without a user', async () => {
      const problem = expectProblem(await create(a.team, { prompt: 'x', team: false }), 400, 'invalid_request');
      expect(problem.detail).toContain('team: false');
    });
  });

  describe('get', () => {
    it('maps every field of the run to a RunItem', async () => {
      const created = await create(a.member, {
        prompt: 'Summarize the logs',
        config: { name: 'summarizer', model_id: 'anthropic/claude-sonnet-4-5' },
        metadata: { team: 'ops' },
      });
      const id = created.body.run_id;
      const startedAt = new Date(Date.now() - 150_000);
      await h.db.run.update({
        where: { id },
        data: {
          state: 'SUCCEEDED',
          startedAt,
          endedAt: new Date(startedAt.getTime() + 150_000),
          statusMessage: { message: 'Done' },
          totalTokens: 1234,
          agentConfig: { name: 'summarizer', model_id: 'anthropic/claude-sonnet-4-5', max_turns: 50 },
          schedule: { schedule_id: 'sch_1', schedule_name: 'nightly', cron_schedule: '0 3 * * *' },
          triggerUrl: 'https://example.com/trigger',
          artifacts: {
            create: [
              {
                uid: `art_${id}_pr`,
                artifactType: 'PULL_REQUEST',
                data: { url: 'https://example.com/pr/1', branch: 'fix' },
              },
            ],
          },
        },
      });

      const res = await h.request<RunItem>('GET', `/api/v1/agent/runs/${id}`, { key: a.member });
      expect(res.status).toBe(200);
      const item = StrictRunItem.parse(res.body);
      expect(item).toMatchObject({
        run_id: id,
        task_id: id,
        title: 'Summarize the logs',
        state: 'SUCCEEDED',
        prompt: 'Summarize the logs',
        started_at: startedAt.toISOString(),
        execution_location: 'REMOTE',
        status_message: { message: 'Done' },
        source: 'API',
        schedule: { schedule_id: 'sch_1', schedule_name: 'nightly', cron_schedule: '0 3 * * *' },
        session_link: `${PUBLIC_URL}/runs/${id}`,
        trigger_url: 'https://example.com/trigger',
        creator: { type: 'user', uid: a.users.member, display_name: 'member of a' },
        request_usage: { total_tokens: 1234 },
        agent_config: { name: 'summarizer', model_id: 'anthropic/claude-sonnet-4-5', max_turns: 50 },
        scope: { type: 'Team', uid: a.teamId },
        metadata: { team: 'ops' },
        run_time: 'PT2M30S',
        is_run_type_cancellable: false,
        artifacts: [
          {
            artifact_type: 'PULL_REQUEST',
            created_at: (await h.db.artifact.findFirstOrThrow({ where: { runId: id } })).createdAt.toISOString(),
            data: { url: 'https://example.com/pr/1', branch: 'fix' },
          },
        ],
      });
      expect(item.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(item.conversation_id).toBe((await h.db.run.findUniqueOrThrow({ where: { id } })).conversationId);
    });

    it('shows the request config until a resolved one is recorded, and a working run as cancellable', async () => {
      const created = await create(a.member, { prompt: 'x', config: { name: 'n', base_prompt: 'be brief' } });
      const res = await h.request<RunItem>('GET', `/api/v1/agent/runs/${created.body.run_id}`, { key: a.member });
      expect(res.body.agent_config).toEqual({ name: 'n', base_prompt: 'be brief' });
      expect(res.body.is_run_type_cancellable).toBe(true);
      expect(res.body.started_at).toBeUndefined();
      expect(res.body.run_time).toBeUndefined();
    });

    it('answers 404 for an unknown id and for another team’s run', async () => {
      expectProblem(
        await h.request('GET', '/api/v1/agent/runs/run_nope', { key: a.member }),
        404,
        'resource_not_found',
      );
      const foreign = await create(b.member, { prompt: 'secret' });
      expectProblem(
        await h.request('GET', `/api/v1/agent/runs/${foreign.body.run_id}`, { key: a.admin }),
        404,
        'resource_not_found',
      );
      expectProblem(
        await h.request('POST', `/api/v1/agent/runs/${foreign.body.run_id}/cancel`, { key: a.admin }),
        404,
        'resource_not_found',
      );
      const list = await h.request<ListRunsResponse>('GET', '/api/v1/agent/runs?limit=500', { key: a.admin });
      expect(list.body.runs.map((r) => r.run_id)).not.toContain(foreign.body.run_id);
    });

    it('shows a personal run to its creator and the team admins only', async () => {
      const personal = await create(a.member, { prompt: 'mine', team: false });
      const id = personal.body.run_id;
      const get = (key: string) => h.request<RunItem>('GET', `/api/v1/agent/runs/${id}`, { key });
      const mine = await get(a.member);
      expect(mine.status).toBe(200);
      expect(mine.body.scope).toEqual({ type: 'User', uid: a.users.member });
      expect((await get(a.admin)).status).toBe(200);
      expect((await get(a.team)).status).toBe(200);
      expect((await get(a.otherMember)).status).toBe(404);
      expect((await get(a.viewer)).status).toBe(404);
      const othersList = await h.request<ListRunsResponse>('GET', '/api/v1/agent/runs?limit=500', {
        key: a.otherMember,
      });
      expect(othersList.body.runs.map((r) => r.run_id)).not.toContain(id);
      const adminList = await h.request<ListRunsResponse>('GET', '/api/v1/agent/runs?limit=500', { key: a.admin });
      expect(adminList.body.runs.map((r) => r.run_id)).toContain(id);
    });
  });

  describe('list', () => {
    it('lists the team’s runs, newest update first by default, in the contract shape', async () => {
      const team = await createTeam(h.db, 'list');
      const first = await create(team.member, { prompt: 'first' });
      const second = await create(team.member, { prompt: 'second' });
      await h.db.run.update({ where: { id: first.body.run_id }, data: { updatedAt: new Date(Date.now() + 60_000) } });
      const res = await h.request<ListRunsResponse>('GET', '/api/v1/agent/runs', { key: team.member });
      expect(res.status).toBe(200);
      const body = ListRunsResponseSchema.parse(res.body);
      expect(body.runs.map((r) => r.run_id)).toEqual([first.body.run_id, second.body.run_id]);
      expect(body.page_info).toEqual({ has_next_page: false });
      for (const run of body.runs) StrictRunItem.parse(run);
    });
  });

  describe('cancel', () => {
    it('requests cancellation of a working run’s workflow and answers the bare run id', async () => {
      const created = await create(a.member, { prompt: 'long job' });
      const id = created.body.run_id;
      const res = await h.request<string>('POST', `/api/v1/agent/runs/${id}/cancel`, { key: a.member });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toBe(id);
      const history = await h.temporal.workflow.getHandle(id).fetchHistory();
      expect(history.events?.some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(true);
      // The workflow records CANCELLED itself; with no worker here the row stays as it was.
      expect((await h.db.run.findUniqueOrThrow({ where: { id } })).state).toBe('QUEUED');
    });

    it('answers 400 with a clear detail for a run that has ended', async () => {
      const created = await create(a.member, { prompt: 'done already' });
      await h.db.run.update({ where: { id: created.body.run_id }, data: { state: 'SUCCEEDED' } });
      const problem = expectProblem(
        await h.request('POST', `/api/v1/agent/runs/${created.body.run_id}/cancel`, { key: a.member }),
        400,
        'invalid_request',
      );
      expect(problem.detail).toContain('has already ended (state SUCCEEDED)');
      const history = await h.temporal.workflow.getHandle(created.body.run_id).fetchHistory();
      expect(history.events?.some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(false);
    });

    it('records CANCELLED itself when the run has no workflow to cancel', async () => {
      const id = await insertRun(h.db, a.teamId);
      const res = await h.request<string>('POST', `/api/v1/agent/runs/${id}/cancel`, { key: a.member });
      expect(res.status).toBe(200);
      const row = await h.db.run.findUniqueOrThrow({ where: { id }, include: { events: true } });
      expect(row.state).toBe('CANCELLED');
      expect(row.endedAt).not.toBeNull();
      expect(row.events.map((e) => e.data)).toEqual([{ state: 'CANCELLED' }]);
    });

    it('refuses viewers with 403', async () => {
      const created = await create(a.member, { prompt: 'x' });
      expectProblem(
        await h.request('POST', `/api/v1/agent/runs/${created.body.run_id}/cancel`, { key: a.viewer }),
        403,
        'not_authorized',
      );
    });
  });

  describe('legacy task routes', () => {
    it('serve the same runs under tasks and task_id', async () => {
      const team = await createTeam(h.db, 'tasks');
      const created = await create(team.member, { prompt: 'legacy' });
      const id = created.body.run_id;
      const list = await h.request<ListTasksResponse>('GET', '/api/v1/agent/tasks', { key: team.member });
      expect(list.status).toBe(200);
      expect(list.body.tasks.map((t) => t.task_id)).toEqual([id]);
      expect(list.body.page_info).toEqual({ has_next_page: false });
      const one = await h.request<RunItem>('GET', `/api/v1/agent/tasks/${id}`, { key: team.member });
      expect(one.body.task_id).toBe(id);
      const cancel = await h.request<string>('POST', `/api/v1/agent/tasks/${id}/cancel`, { key: team.member });
      expect(cancel.body).toBe(id);
      const history = await h.temporal.workflow.getHandle(id).fetchHistory();
      expect(history.events?.some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(true);
    });
  });
});
