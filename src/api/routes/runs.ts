/** Run routes of the Agent API, and their legacy `/agent/tasks` spellings (same data under older names). */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { RunAgentRequestSchema } from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import { cancelRun } from '../../services/cancel-run';
import { getConversation } from '../../services/get-conversation';
import { getRun } from '../../services/get-run';
import { listRuns } from '../../services/list-runs';
import { startRun } from '../../services/start-run';
import { parseListRunsQuery } from '../list-runs-query';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow } from '../validation';

const IdempotencyKeySchema = z.string().min(1).max(255, 'Idempotency-Key is at most 255 characters').optional();

function queryOf(req: Request): Record<string, unknown> {
  return req.query;
}

export function runsRouter(deps: ServiceDeps): Router {
  const router = Router();

  for (const path of ['/agent/run', '/agent/runs']) {
    router.post(path, async (req, res) => {
      const request = parseOrThrow(RunAgentRequestSchema, req.body, 'body');
      const idempotencyKey = parseOrThrow(IdempotencyKeySchema, req.get('idempotency-key'), 'header Idempotency-Key');
      res.json(await startRun(deps, { principal: principalOf(res), request, idempotencyKey }));
    });
  }

  router.get('/agent/runs', async (req, res) => {
    res.json(await listRuns(deps, { principal: principalOf(res), query: parseListRunsQuery(queryOf(req)) }));
  });

  router.get('/agent/runs/:runId', async (req, res) => {
    res.json(await getRun(deps, { principal: principalOf(res), runId: req.params.runId }));
  });

  router.post('/agent/runs/:runId/cancel', async (req, res) => {
    res.json(await cancelRun(deps, { principal: principalOf(res), runId: req.params.runId }));
  });

  router.get('/agent/runs/:runId/conversation', async (req, res) => {
    res.json(await getConversation(deps, { principal: principalOf(res), runId: req.params.runId }));
  });

  router.get('/agent/tasks', async (req, res) => {
    const { runs, page_info } = await listRuns(deps, {
      principal: principalOf(res),
      query: parseListRunsQuery(queryOf(req)),
    });
    res.json({ tasks: runs, page_info });
  });

  router.get('/agent/tasks/:taskId', async (req, res) => {
    res.json(await getRun(deps, { principal: principalOf(res), runId: req.params.taskId }));
  });

  router.post('/agent/tasks/:taskId/cancel', async (req, res) => {
    res.json(await cancelRun(deps, { principal: principalOf(res), runId: req.params.taskId }));
  });

  return router;
}
