/** Scheduled agents (Oz's `/agent/schedules`), plus our backfill of a past range. Thin: parse, call one service. */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import {
  BackfillScheduleRequestSchema,
  BackfillScheduleResponseSchema,
  CreateScheduleRequestSchema,
  DeleteScheduleResponseSchema,
  ListSchedulesResponseSchema,
  ReplaceScheduleRequestSchema,
  ScheduledAgentItemSchema,
} from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import {
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  replaceSchedule,
  setScheduleEnabled,
  triggerSchedule,
} from '../../services/schedules';
import { API_PREFIX } from '../constants';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow } from '../validation';

export function schedulesRouter(deps: ServiceDeps): Router {
  const router = Router();

  router.post('/agent/schedules', async (req, res) => {
    const request = parseOrThrow(CreateScheduleRequestSchema, req.body, 'body');
    const item = await createSchedule(deps, { principal: principalOf(res), request });
    res
      .status(201)
      .location(`${API_PREFIX}/agent/schedules/${encodeURIComponent(item.id)}`)
      .json(item);
  });

  router.get('/agent/schedules', async (_req, res) => {
    res.json(await listSchedules(deps, { principal: principalOf(res) }));
  });

  router.get('/agent/schedules/:scheduleId', async (req, res) => {
    res.json(await getSchedule(deps, { principal: principalOf(res), scheduleId: req.params.scheduleId }));
  });

  router.put('/agent/schedules/:scheduleId', async (req, res) => {
    const request = parseOrThrow(ReplaceScheduleRequestSchema, req.body, 'body');
    res.json(await replaceSchedule(deps, { principal: principalOf(res), scheduleId: req.params.scheduleId, request }));
  });

  router.delete('/agent/schedules/:scheduleId', async (req, res) => {
    res.json(await deleteSchedule(deps, { principal: principalOf(res), scheduleId: req.params.scheduleId }));
  });

  for (const [verb, enabled] of [
    ['pause', false],
    ['resume', true],
  ] as const) {
    router.post(`/agent/schedules/:scheduleId/${verb}`, async (req, res) => {
      res.json(
        await setScheduleEnabled(deps, { principal: principalOf(res), scheduleId: req.params.scheduleId, enabled }),
      );
    });
  }

  router.post('/agent/schedules/:scheduleId/trigger', async (req, res) => {
    res.json(await triggerSchedule(deps, { principal: principalOf(res), scheduleId: req.params.scheduleId }));
  });

  router.post('/agent/schedules/:scheduleId/backfill', async (req, res) => {
    const request = parseOrThrow(BackfillScheduleRequestSchema, req.body, 'body');
    res.json(await backfillSchedule(deps, { principal: principalOf(res), scheduleId: req.params.scheduleId, request }));
  });

  return router;
}

/** The schedule routes in the OpenAPI document (called by `openapi.ts`, which documents every served route). */
export function registerSchedulePaths(
  registry: OpenAPIRegistry,
  helpers: {
    path: (p: string) => string;
    security: { [name: string]: string[] }[];
    json: (description: string, schema: z.ZodType) => ResponseConfig;
    problem: (description: string) => ResponseConfig;
  },
): void {
  const { path, security, json, problem } = helpers;
  const Item = ScheduledAgentItemSchema.meta({ id: 'ScheduledAgentItem' });
  const scheduleId = z.object({ scheduleId: z.string().min(1).meta({ description: 'Schedule id (sch_…)' }) });
  const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });
  const errors = {
    401: problem('Missing or invalid API key (authentication_required)'),
    403: problem('The key may not do this: changing schedules needs a member or admin key (not_authorized)'),
  };
  const notFound = { 404: problem('No such schedule visible to this key (resource_not_found)') };
  const invalid = {
    400: problem('Invalid field; an invalid cron expression names the field and what is wrong (invalid_request)'),
  };
  const unavailable = {
    503: problem('The scheduler could not be reached; nothing was changed (resource_unavailable)'),
  };
  registry.registerPath({
    method: 'post',
    path: path('/agent/schedules'),
    operationId: 'createScheduledAgent',
    summary: 'Create a scheduled agent (a Temporal Schedule starts a run at each firing)',
    tags: ['schedules'],
    security,
    request: { body: body(CreateScheduleRequestSchema.meta({ id: 'CreateScheduledAgentRequest' })) },
    responses: { 201: json('The schedule; Location names it', Item), ...invalid, ...errors, ...unavailable },
  });
  registry.registerPath({
    method: 'get',
    path: path('/agent/schedules'),
    operationId: 'listScheduledAgents',
    summary: 'List the schedules visible to this key',
    tags: ['schedules'],
    security,
    responses: { 200: json('Every visible schedule', ListSchedulesResponseSchema), ...errors },
  });
  registry.registerPath({
    method: 'get',
    path: path('/agent/schedules/{scheduleId}'),
    operationId: 'getScheduledAgent',
    summary: 'Get a schedule with its history (last_ran, last_run_id, next_run)',
    tags: ['schedules'],
    security,
    request: { params: scheduleId },
    responses: { 200: json('The schedule', Item), ...errors, ...notFound },
  });
  registry.registerPath({
    method: 'put',
    path: path('/agent/schedules/{scheduleId}'),
    operationId: 'updateScheduledAgent',
    summary: 'Replace a schedule (name, cron_schedule and enabled required; fields left out return to defaults)',
    tags: ['schedules'],
    security,
    request: {
      params: scheduleId,
      body: body(ReplaceScheduleRequestSchema.meta({ id: 'UpdateScheduledAgentRequest' })),
    },
    responses: { 200: json('The schedule as replaced', Item), ...invalid, ...errors, ...notFound, ...unavailable },
  });
  registry.registerPath({
    method: 'delete',
    path: path('/agent/schedules/{scheduleId}'),
    operationId: 'deleteScheduledAgent',
    summary: 'Delete a schedule and its Temporal Schedule (runs already started go on)',
    tags: ['schedules'],
    security,
    request: { params: scheduleId },
    responses: { 200: json('Deleted', DeleteScheduleResponseSchema), ...errors, ...notFound, ...unavailable },
  });
  for (const [verb, summary] of [
    ['pause', 'Pause a schedule: no firing until it is resumed'],
    ['resume', 'Resume a paused schedule'],
  ] as const) {
    registry.registerPath({
      method: 'post',
      path: path(`/agent/schedules/{scheduleId}/${verb}`),
      operationId: `${verb}ScheduledAgent`,
      summary,
      tags: ['schedules'],
      security,
      request: { params: scheduleId },
      responses: { 200: json('The schedule', Item), ...errors, ...notFound, ...unavailable },
    });
  }
  registry.registerPath({
    method: 'post',
    path: path('/agent/schedules/{scheduleId}/trigger'),
    operationId: 'triggerScheduledAgent',
    summary: "Fire once now, under the schedule's overlap policy (also while paused)",
    tags: ['schedules'],
    security,
    request: { params: scheduleId },
    responses: { 200: json('Fired', DeleteScheduleResponseSchema), ...errors, ...notFound, ...unavailable },
  });
  registry.registerPath({
    method: 'post',
    path: path('/agent/schedules/{scheduleId}/backfill'),
    operationId: 'backfillScheduledAgent',
    summary: 'Take every firing of a past range now (default overlap buffer_all: one after the other)',
    tags: ['schedules'],
    security,
    request: { params: scheduleId, body: body(BackfillScheduleRequestSchema) },
    responses: {
      200: json('Backfill accepted', BackfillScheduleResponseSchema),
      ...invalid,
      ...errors,
      ...notFound,
      ...unavailable,
    },
  });
}
