/** Run routes of the Agent API, and their legacy `/agent/tasks` spellings (same data under older names). */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { RunAgentRequestSchema } from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import { cancelRun } from '../../services/cancel-run';
import { ApprovalDecisionRequestSchema, decideApproval } from '../../services/decide-approval';
import { getConversation } from '../../services/get-conversation';
import { getRun } from '../../services/get-run';
import { listRuns } from '../../services/list-runs';
import { FollowupRequestSchema, sendFollowup } from '../../services/send-followup';
import { startRun } from '../../services/start-run';
import { streamRunEvents } from '../../services/stream-run-events';
import { latestEventId, streamTeamRunEvents } from '../../services/stream-team-run-events';
import { parseListRunsQuery } from '../list-runs-query';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow } from '../validation';

const IdempotencyKeySchema = z.string().min(1).max(255, 'Idempotency-Key is at most 255 characters').optional();

const LastEventIdSchema = z
  .string()
  .regex(/^\d{1,19}$/, 'Last-Event-ID is the numeric id of the last event received')
  .transform((v) => BigInt(v))
  .optional();

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
    const lastEventId = parseOrThrow(
      LastEventIdSchema,
      req.get('last-event-id') ?? req.query['last_event_id'],
      'header Last-Event-ID',
    );
    const afterId = lastEventId ?? (await latestEventId(deps.db));
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    await streamTeamRunEvents(deps, {
      principal: principalOf(res),
      afterId,
      signal: abort.signal,
      send: (e) => res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`),
      heartbeat: () => res.write(': heartbeat\n\n'),
    }).catch(() => undefined);
    res.end();
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
    const lastEventId = parseOrThrow(
      LastEventIdSchema,
      req.get('last-event-id') ?? req.query['last_event_id'],
      'header Last-Event-ID',
    );
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
    };
    try {
      await streamRunEvents(deps, {
        principal: principalOf(res),
        runId: req.params.runId,
        afterId: lastEventId,
        signal: abort.signal,
        send: (e) => {
          start();
          res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
        },
        heartbeat: () => {
          start();
          res.write(': heartbeat\n\n');
        },
      });
      start();
      res.write('event: end\ndata: {}\n\n');
      res.end();
    } catch (err) {
      // Before the stream starts (unknown run), errors are ordinary problem responses; after, the stream just ends.
      if (!started) throw err;
      res.end();
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
