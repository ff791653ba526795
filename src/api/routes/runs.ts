/** Run routes of the Agent API, and their legacy `/agent/tasks` spellings (same data under older names). */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { RunAgentRequestSchema } from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import { cancelRun } from '../../services/cancel-run';
import { ApprovalDecisionRequestSchema, decideApproval } from '../../services/decide-approval';
import { getConversation } from '../../services/get-conversation';
import { getRun } from '../../services/get-run';
import { interruptRun } from '../../services/interrupt-run';
import { listRuns } from '../../services/list-runs';
import { FollowupRequestSchema, sendFollowup } from '../../services/send-followup';
import { startRun } from '../../services/start-run';
import { streamRunEvents } from '../../services/stream-run-events';
import { latestEventId, streamTeamRunEvents } from '../../services/stream-team-run-events';
import { parseListRunsQuery } from '../list-runs-query';
import { principalOf } from '../middleware/request-context';
import { eventStream, lastEventIdOf } from '../sse';
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

  // Server-Sent Events of the run list: every visible run's state changes (new runs arrive as QUEUED).
  router.get('/agent/runs/events', async (req, res) => {
    const afterId = lastEventIdOf(req) ?? (await latestEventId(deps.db));
    const stream = eventStream(req, res);
    stream.start();
    await streamTeamRunEvents(deps, {
      principal: principalOf(res),
      afterId,
      signal: stream.signal,
      send: (e) => stream.send(e),
      heartbeat: () => stream.heartbeat(),
    }).catch(() => undefined);
    stream.end();
  });

  router.get('/agent/runs', async (req, res) => {
    res.json(await listRuns(deps, { principal: principalOf(res), query: parseListRunsQuery(queryOf(req)) }));
  });

  router.get('/agent/runs/:runId', async (req, res) => {
    res.json(await getRun(deps, { principal: principalOf(res), runId: req.params.runId }));
  });

  router.post('/agent/runs/:runId/cancel', async (req, res) => {
    res.json(await cancelRun(deps, { principal: principalOf(res), runId: req.params.runId }));
  });

  // Server-Sent Events: the run's timeline, resumable with Last-Event-ID (or ?last_event_id=), with heartbeats.
  router.get('/agent/runs/:runId/events', async (req, res) => {
    const afterId = lastEventIdOf(req);
    const stream = eventStream(req, res);
    try {
      await streamRunEvents(deps, {
        principal: principalOf(res),
        runId: req.params.runId,
        afterId,
        signal: stream.signal,
        send: (e) => stream.send(e),
        heartbeat: () => stream.heartbeat(),
      });
      stream.end('end');
    } catch (err) {
      // Before the stream starts (unknown run), errors are ordinary problem responses; after, the stream just ends.
      if (!stream.started) throw err;
      stream.end();
    }
  });

  router.post('/agent/runs/:runId/followups', async (req, res) => {
    const request = parseOrThrow(FollowupRequestSchema, req.body, 'body');
    res.json(await sendFollowup(deps, { principal: principalOf(res), runId: req.params.runId, request }));
  });

  router.post('/agent/runs/:runId/approvals', async (req, res) => {
    const request = parseOrThrow(ApprovalDecisionRequestSchema, req.body ?? {}, 'body');
    res.json(await decideApproval(deps, { principal: principalOf(res), runId: req.params.runId, request }));
  });

  // Stops the agent's current step; the run waits BLOCKED until a follow-up gives it instructions.
  router.post('/agent/runs/:runId/interrupt', async (req, res) => {
    res.json(await interruptRun(deps, { principal: principalOf(res), runId: req.params.runId }));
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
