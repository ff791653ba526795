/**
 * The link between a run row and its workflow: a failed workflow start leaves no row, and the start-up reconciler
 * starts the workflow of a queued run whose creation was interrupted. Real Temporal failures, no mocks.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { runsTaskQueue } from '../../src/config';
import type { HealthResponse, Problem, RunAgentResponse } from '../../src/domain';
import { reconcileQueuedRuns } from '../../src/services/reconcile-queued-runs';
import { AGENT_RUN_WORKFLOW_TYPE } from '../../workflows/definitions';
import { DB_KINDS } from '../helpers/database';
import { createTeam, insertRun, silentLogger, startHarness, type Harness } from './helpers';

describe.each(DB_KINDS)('workflow start on %s', (kind) => {
  describe('when Temporal refuses the start (the namespace does not exist)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind, { namespace: `ambit-missing-${Date.now()}` });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('answers 503 resource_unavailable, retryable, and leaves no run row behind', async () => {
      const team = await createTeam(h.db, 'nowf');
      const res = await h.request<Problem>('POST', '/api/v1/agent/runs', {
        key: team.member,
        body: { prompt: 'this cannot start' },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.type.endsWith('/resource_unavailable')).toBe(true);
      expect(res.body.retryable).toBe(true);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await h.db.run.count()).toBe(0);
      expect(await h.db.runEvent.count()).toBe(0);
    });

    it('reports Temporal as down in health with 503', async () => {
      const res = await h.request<HealthResponse>('GET', '/api/v1/health');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'degraded', database: 'ok', temporal: 'down' });
    });
  });

  describe('reconciling queued runs at start-up', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind);
    });
    afterAll(async () => {
      await h?.close();
    });

    it('starts the missing workflow of old queued runs only', async () => {
      const team = await createTeam(h.db, 'reconcile');
      const minuteAgo = new Date(Date.now() - 60_000);
      const orphan = await insertRun(h.db, team.teamId, { createdAt: minuteAgo });
      const young = await insertRun(h.db, team.teamId, { createdAt: new Date(Date.now() - 5_000) });
      const ended = await insertRun(h.db, team.teamId, { createdAt: minuteAgo, state: 'FAILED' });
      const created = await h.request<RunAgentResponse>('POST', '/api/v1/agent/runs', {
        key: team.member,
        body: { prompt: 'has a workflow' },
      });
      const withWorkflow = created.body.run_id;
      await h.db.run.update({ where: { id: withWorkflow }, data: { createdAt: minuteAgo } });
      const before = await h.temporal.workflow.getHandle(withWorkflow).describe();
      for (const id of [orphan, young, ended]) h.track(id);

      const deps = { db: h.db, temporal: h.temporal, config: h.config, logger: silentLogger };
      const result = await reconcileQueuedRuns(deps);

      expect(result).toEqual({ started: [orphan], failed: [] });
      const description = await h.temporal.workflow.getHandle(orphan).describe();
      expect(description.type).toBe(AGENT_RUN_WORKFLOW_TYPE);
      expect(description.taskQueue).toBe(runsTaskQueue(h.config.temporal.taskQueuePrefix));
      expect(description.status.name).toBe('RUNNING');
      for (const id of [young, ended]) {
        await expect(h.temporal.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
      }
      const after = await h.temporal.workflow.getHandle(withWorkflow).describe();
      expect(after.runId).toBe(before.runId);

      expect(await reconcileQueuedRuns(deps)).toEqual({ started: [], failed: [] });
    });
  });
});
