/**
 * The OpenAPI document, generated from the same zod schemas that validate requests (never written by hand).
 * Every route the app serves is registered here; a test checks the two stay in step.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ApprovalDecisionRequestSchema, ApprovalDecisionResponseSchema } from '../services/decide-approval';
import { InterruptRunResponseSchema } from '../services/interrupt-run';
import { FollowupRequestSchema } from '../services/send-followup';
import {
  ConversationResponseSchema,
  CreateEnvironmentRequestSchema,
  DeleteEnvironmentQuerySchema,
  DeleteEnvironmentResponseSchema,
  EnvironmentItemSchema,
  ListAgentEnvironmentsQuerySchema,
  ListAgentEnvironmentsResponseSchema,
  ListEnvironmentsQuerySchema,
  ListEnvironmentsResponseSchema,
  UpdateEnvironmentRequestSchema,
  HealthResponseSchema,
  ListModelsResponseSchema,
  ListRunsQuerySchema,
  ListRunsResponseSchema,
  ListTasksResponseSchema,
  ProblemSchema,
  RunAgentRequestSchema,
  RunAgentResponseSchema,
  RunItemSchema,
  TaskItemSchema,
} from '../domain';
import { API_PREFIX } from './constants';
import { registerMcpServerPaths } from './routes/mcp-servers';
import { registerPromptPaths } from './routes/prompts';
import { registerRulePaths } from './routes/rules';
import { registerTeamPaths } from './routes/team';
import { registerVarSetPaths } from './routes/vars';
import { registerAgentPaths } from './routes/agent';
import { registerApiKeyPaths } from './routes/api-keys';
import { registerAuditPaths } from './routes/audit';
import { registerHookPaths } from './routes/hooks';
import { registerIntegrationPaths } from './routes/integrations';
import { registerHostPaths } from './routes/hosts';
import { registerCodecPaths } from './routes/codec';
import { registerMemberPaths } from './routes/members';
import { registerSecretPaths } from './routes/secrets';
import { registerSchedulePaths } from './routes/schedules';
import { registerSessionPaths } from './routes/session';

/** Named copies of the domain schemas: `.meta({ id })` makes each a component that operations $ref. */
const Problem = ProblemSchema.meta({ id: 'Error' });
const RunAgentRequest = RunAgentRequestSchema.meta({ id: 'RunAgentRequest' });
const RunAgentResponse = RunAgentResponseSchema.meta({ id: 'RunAgentResponse' });
const RunItem = RunItemSchema.meta({ id: 'RunItem' });
const TaskItem = TaskItemSchema.meta({ id: 'TaskItem' });
const ListRunsResponse = ListRunsResponseSchema.meta({ id: 'ListRunsResponse' });
const ListTasksResponse = ListTasksResponseSchema.meta({ id: 'ListTasksResponse' });
const ConversationResponse = ConversationResponseSchema.meta({ id: 'ConversationResponse' });
const ListModelsResponse = ListModelsResponseSchema.meta({ id: 'ListModelsResponse' });
const HealthResponse = HealthResponseSchema.meta({ id: 'HealthResponse' });
const CreateEnvironmentRequest = CreateEnvironmentRequestSchema.meta({ id: 'CreateEnvironmentRequest' });
const UpdateEnvironmentRequest = UpdateEnvironmentRequestSchema.meta({ id: 'UpdateEnvironmentRequest' });
const EnvironmentItem = EnvironmentItemSchema.meta({ id: 'EnvironmentItem' });
const ListEnvironmentsResponse = ListEnvironmentsResponseSchema.meta({ id: 'EnvironmentsPage' });
const DeleteEnvironmentResponse = DeleteEnvironmentResponseSchema.meta({ id: 'DeleteEnvironmentResponse' });
/** Named as in the Oz API, whose listing this is. */
const ListAgentEnvironmentsResponse = ListAgentEnvironmentsResponseSchema.meta({ id: 'ListEnvironmentsResponse' });
/** The same query with `metadata` documented as the deepObject parameter clients send (metadata[key]=value). */
const ListRunsQuery = ListRunsQuerySchema.extend({
  metadata: ListRunsQuerySchema.shape.metadata.meta({ param: { style: 'deepObject', explode: true } }),
});

type Responses = RouteConfig['responses'];

function buildRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An Ambit API key: Authorization: Bearer <key>',
  });
  const security = [{ [bearer.name]: [] }];

  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: Problem } },
  });
  const json = <T extends z.ZodType>(description: string, schema: T) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const authErrors: Responses = {
    401: problem('Missing or invalid API key (authentication_required)'),
    403: problem('The key may not do this (not_authorized)'),
  };
  const runErrors: Responses = { ...authErrors, 404: problem('No such run visible to this key (resource_not_found)') };
  const runId = z.object({ runId: z.string().min(1).meta({ description: 'Run id' }) });
  const taskId = z.object({ taskId: z.string().min(1).meta({ description: 'Run id (legacy name)' }) });
  const path = (p: string) => `${API_PREFIX}${p}`;

  for (const [route, operationId] of [
    ['/agent/run', 'runAgent'],
    ['/agent/runs', 'createRun'],
  ] as const) {
    registry.registerPath({
      method: 'post',
      path: path(route),
      operationId,
      summary: 'Start an agent run',
      tags: ['runs'],
      security,
      request: { body: { required: true, content: { 'application/json': { schema: RunAgentRequest } } } },
      responses: {
        200: json('Run created (state QUEUED)', RunAgentResponse),
        400: problem('Invalid request; detail names each bad field (invalid_request)'),
        ...authErrors,
        404: problem('parent_run_id names no visible run (resource_not_found)'),
        503: problem('The workflow service could not start the run; retry (resource_unavailable)'),
      },
    });
  }
  registry.registerPath({
    method: 'get',
    path: path('/agent/runs'),
    operationId: 'listRuns',
    summary: 'List runs (keyset-paginated, filterable)',
    description: 'Repeat `state` for several states; filter on metadata with `metadata[key]=value` (AND, at most 5).',
    tags: ['runs'],
    security,
    request: { query: ListRunsQuery },
    responses: {
      200: json('A page of runs', ListRunsResponse),
      400: problem('Invalid filter or cursor (invalid_request)'),
      ...authErrors,
      404: problem('ancestor_run_id names no visible run (resource_not_found)'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/agent/runs/{runId}'),
    operationId: 'getRun',
    summary: 'Get a run',
    tags: ['runs'],
    security,
    request: { params: runId },
    responses: { 200: json('The run', RunItem), ...runErrors },
  });
  registry.registerPath({
    method: 'post',
    path: path('/agent/runs/{runId}/cancel'),
    operationId: 'cancelRun',
    summary: 'Cancel a queued, running or blocked run',
    tags: ['runs'],
    security,
    request: { params: runId },
    responses: {
      200: json('Cancellation requested; the body is the run id as a JSON string', z.string()),
      400: problem('The run has already ended (invalid_request)'),
      ...runErrors,
      503: problem('The workflow service is unreachable; retry (resource_unavailable)'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/agent/runs/{runId}/conversation'),
    operationId: 'getRunConversation',
    summary: "A run's conversation, one step per agent turn",
    tags: ['runs'],
    security,
    request: { params: runId },
    responses: { 200: json('The normalized conversation', ConversationResponse), ...runErrors },
  });
  registry.registerPath({
    method: 'post',
    path: path('/agent/runs/{runId}/followups'),
    operationId: 'sendFollowup',
    summary:
      'Send a follow-up message: a working run sees it at its next step (Temporal update); an ended run starts a new execution of the same run id',
    tags: ['runs'],
    security,
    request: { params: runId, body: { content: { 'application/json': { schema: FollowupRequestSchema } } } },
    responses: {
      200: json(
        'Accepted',
        z.object({
          run_id: z.string(),
          followup_id: z.string(),
          delivery: z.enum(['delivered', 'restarted']),
          execution: z.number().int(),
        }),
      ),
      422: problem("The run's harness does not take follow-ups while it runs (operation_not_supported)"),
      ...runErrors,
    },
  });
  registry.registerPath({
    method: 'post',
    path: path('/agent/runs/{runId}/approvals'),
    operationId: 'decideApproval',
    summary:
      'Approve or deny the tool call a BLOCKED run waits for (config.approvals); a denied call is not executed and the agent reads the denial as its result',
    tags: ['runs'],
    security,
    request: {
      params: runId,
      body: { content: { 'application/json': { schema: ApprovalDecisionRequestSchema } } },
    },
    responses: {
      ...runErrors,
      200: json('The decision was accepted; the run resumes', ApprovalDecisionResponseSchema),
      403: problem('Viewers may not approve or deny (not_authorized)'),
      409: problem('No action (or not that action) waits for approval (conflict, not retryable)'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: path('/agent/runs/{runId}/interrupt'),
    operationId: 'interruptRun',
    summary:
      "Stop the agent's current step (model call, tool call or approval wait); the run waits BLOCKED for instructions and the next follow-up resumes it",
    tags: ['runs'],
    security,
    request: { params: runId },
    responses: {
      ...runErrors,
      200: json('The step was stopped; the run waits for a follow-up', InterruptRunResponseSchema),
      403: problem('Viewers may not interrupt (not_authorized)'),
      409: problem('Nothing to stop: the run is starting, finishing, ended or already waiting (conflict)'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/agent/runs/events'),
    operationId: 'streamRunListEvents',
    summary:
      'Server-Sent Events of the run list: state changes of every run the key can see (a new run arrives as QUEUED), resumable with Last-Event-ID; without one it starts now',
    tags: ['runs'],
    security,
    request: {
      headers: z.object({ 'last-event-id': z.string().regex(/^\d+$/).optional() }),
      query: z.object({ last_event_id: z.string().regex(/^\d+$/).optional() }),
    },
    responses: {
      200: {
        description:
          'text/event-stream: `id`, `event: state_changed`, `data: {id, run_id, type, created_at, data, run: {title, state, source}}`',
        content: { 'text/event-stream': { schema: z.string() } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/agent/runs/{runId}/events'),
    operationId: 'streamRunEvents',
    summary:
      "A run's timeline as Server-Sent Events (state changes, messages, tool calls and results, outputs), resumable with Last-Event-ID; ends with an `end` event once the run has ended",
    tags: ['runs'],
    security,
    request: {
      params: runId,
      headers: z.object({ 'last-event-id': z.string().regex(/^\d+$/).optional() }),
      query: z.object({ last_event_id: z.string().regex(/^\d+$/).optional() }),
    },
    responses: {
      200: {
        description:
          'text/event-stream: `id: <event id>`, `event: <type>`, `data: {id, run_id, type, created_at, data}`',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      ...runErrors,
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/agent/models'),
    operationId: 'listModels',
    summary: 'Models available to runs',
    tags: ['models'],
    security,
    responses: { 200: json('Configured models and the default', ListModelsResponse), ...authErrors },
  });
  registerEnvironmentPaths(registry, { path, security, json, problem, authErrors });
  registry.registerPath({
    method: 'get',
    path: path('/agent/tasks'),
    operationId: 'listTasks',
    summary: 'List runs (legacy name)',
    deprecated: true,
    tags: ['legacy'],
    security,
    request: { query: ListRunsQuery },
    responses: {
      200: json('A page of tasks', ListTasksResponse),
      400: problem('Invalid filter or cursor (invalid_request)'),
      ...authErrors,
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/agent/tasks/{taskId}'),
    operationId: 'getTask',
    summary: 'Get a run (legacy name)',
    deprecated: true,
    tags: ['legacy'],
    security,
    request: { params: taskId },
    responses: { 200: json('The task', TaskItem), ...runErrors },
  });
  registry.registerPath({
    method: 'post',
    path: path('/agent/tasks/{taskId}/cancel'),
    operationId: 'cancelTask',
    summary: 'Cancel a run (legacy name)',
    deprecated: true,
    tags: ['legacy'],
    security,
    request: { params: taskId },
    responses: {
      200: json('Cancellation requested; the body is the run id as a JSON string', z.string()),
      400: problem('The run has already ended (invalid_request)'),
      ...runErrors,
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/health'),
    operationId: 'health',
    summary: 'Health of the API and what it depends on (no API key needed)',
    tags: ['meta'],
    responses: {
      200: json('Database and Temporal reachable', HealthResponse),
      503: json('Something is down; the body names it', HealthResponse),
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/openapi.json'),
    operationId: 'openapi',
    summary: 'This document (no API key needed)',
    tags: ['meta'],
    responses: { 200: json('OpenAPI 3.1 document', z.record(z.string(), z.unknown())) },
  });
  registerSessionPaths(registry, { path, security, json, problem });
  registerSchedulePaths(registry, { path, security, json, problem });
  for (const register of [
    registerTeamPaths,
    registerRulePaths,
    registerPromptPaths,
    registerMcpServerPaths,
    registerVarSetPaths,
    registerAgentPaths,
  ])
    register(registry, { path, security, json, problem });
  registerApiKeyPaths(registry, { path, security, json, problem });
  registerMemberPaths(registry, { path, security, json, problem });
  registerAuditPaths(registry, { path, security, json, problem });
  registerIntegrationPaths(registry, { path, security, json, problem });
  registerHookPaths(registry, { path, json, problem });
  registerHostPaths(registry, { path, security, json, problem });
  registerSecretPaths(registry, { path, security, json, problem });
  registerCodecPaths(registry, { path, security, json, problem });
  return registry;
}

interface PathHelpers {
  path: (p: string) => string;
  security: { [name: string]: string[] }[];
  json: <T extends z.ZodType>(description: string, schema: T) => Responses[number];
  problem: (description: string) => Responses[number];
  authErrors: Responses;
}

function registerEnvironmentPaths(registry: OpenAPIRegistry, h: PathHelpers): void {
  const { path, security, json, problem, authErrors } = h;
  const environmentId = z.object({
    environmentId: z.string().min(1).meta({ description: 'Environment id (env_…)' }),
  });
  const notFound = problem('No such environment visible to this key (resource_not_found)');
  const writeErrors: Responses = {
    ...authErrors,
    403: problem('Viewers may read environments but not change them (not_authorized)'),
  };
  const duplicate = problem(
    'The name is taken in this scope (conflict, retryable: false, x-should-retry: false); the detail names the other id',
  );
  const body = <T extends z.ZodType>(schema: T) => ({
    required: true,
    content: { 'application/json': { schema } },
  });
  registry.registerPath({
    method: 'post',
    path: path('/environments'),
    operationId: 'createEnvironment',
    summary: 'Create an environment (team-wide, or personal with scope User)',
    tags: ['environments'],
    security,
    request: { body: body(CreateEnvironmentRequest) },
    responses: {
      201: json('The environment; Location names it', EnvironmentItem),
      400: problem('Invalid field; detail names each bad field and the fix (invalid_request)'),
      ...writeErrors,
      409: duplicate,
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/environments'),
    operationId: 'listEnvironments',
    summary: 'List the environments visible to this key (keyset-paginated)',
    tags: ['environments'],
    security,
    request: { query: ListEnvironmentsQuerySchema },
    responses: {
      200: json('A page of environments', ListEnvironmentsResponse),
      400: problem('Invalid filter or cursor (invalid_request)'),
      ...authErrors,
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/environments/{environmentId}'),
    operationId: 'getEnvironment',
    summary: 'Get an environment',
    tags: ['environments'],
    security,
    request: { params: environmentId },
    responses: { 200: json('The environment', EnvironmentItem), ...authErrors, 404: notFound },
  });
  registry.registerPath({
    method: 'put',
    path: path('/environments/{environmentId}'),
    operationId: 'replaceEnvironment',
    summary: 'Replace an environment: optional fields left out are cleared; the scope cannot change',
    tags: ['environments'],
    security,
    request: { params: environmentId, body: body(CreateEnvironmentRequest) },
    responses: {
      200: json('The environment as replaced', EnvironmentItem),
      400: problem('Invalid field, or a different scope (invalid_request)'),
      ...writeErrors,
      404: notFound,
      409: duplicate,
    },
  });
  registry.registerPath({
    method: 'patch',
    path: path('/environments/{environmentId}'),
    operationId: 'updateEnvironment',
    summary: 'Change some fields of an environment; lists and env are replaced whole, description null clears it',
    tags: ['environments'],
    security,
    request: { params: environmentId, body: body(UpdateEnvironmentRequest) },
    responses: {
      200: json('The environment as changed', EnvironmentItem),
      400: problem('Invalid field, or no field given (invalid_request)'),
      ...writeErrors,
      404: notFound,
      409: duplicate,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: path('/environments/{environmentId}'),
    operationId: 'deleteEnvironment',
    summary: 'Delete an environment',
    description:
      'Refused with 409 (retryable: false) while runs that have not ended use it, unless force=true. Runs keep ' +
      'the id; schedules and integrations will be checked the same way once they refer to environments.',
    tags: ['environments'],
    security,
    request: { params: environmentId, query: DeleteEnvironmentQuerySchema },
    responses: {
      200: json('Deleted', DeleteEnvironmentResponse),
      400: problem('Invalid force value (invalid_request)'),
      ...writeErrors,
      404: notFound,
      409: problem('Runs that have not ended use it; the detail names them (conflict, retryable: false)'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/agent/environments'),
    operationId: 'listAgentEnvironments',
    summary: 'List environments in the Oz shape (CloudEnvironment; GitHub repositories only)',
    tags: ['environments'],
    security,
    request: { query: ListAgentEnvironmentsQuerySchema },
    responses: {
      200: json('Every environment visible to this key', ListAgentEnvironmentsResponse),
      400: problem('Invalid sort_by (invalid_request)'),
      ...authErrors,
    },
  });
}

let cached: { serverUrl: string; document: unknown } | undefined;

/** The OpenAPI 3.1 document for a server at `serverUrl` (generated once per URL). */
export function openApiDocument(serverUrl: string): unknown {
  if (cached?.serverUrl !== serverUrl) {
    const generator = new OpenApiGeneratorV31(buildRegistry().definitions);
    const document = generator.generateDocument({
      openapi: '3.1.0',
      info: {
        title: 'Ambit Agent API',
        version: '1.0.0',
        description: 'Self-hosted ambient agents on Temporal; wire-compatible with the Oz/Warp Agent API v1.',
      },
      servers: [{ url: serverUrl }],
    });
    cached = { serverUrl, document };
  }
  return cached.document;
}
