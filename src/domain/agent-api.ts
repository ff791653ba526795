/**
 * Wire shapes of the Agent API responses and list query (Oz/Warp Agent API v1), shared by the API server, its
 * OpenAPI document and typed clients. Request bodies live beside the run model in `run.ts`. Pure.
 */
import { z } from 'zod';
import { AgentConfigSchema } from './agent-config';
import {
  ACTION_CATEGORIES,
  ACTION_STATES,
  ARTIFACT_TYPES,
  ExecutionLocationSchema,
  RUN_SORT_FIELDS,
  RunSourceSchema,
  RunStateSchema,
  StatusMessageSchema,
} from './run';

const Timestamp = z.string().meta({ format: 'date-time', description: 'RFC 3339, UTC' });

export const RunAgentResponseSchema = z.object({
  run_id: z.string(),
  task_id: z.string().meta({ deprecated: true, description: 'Same as run_id. Deprecated: use run_id.' }),
  state: RunStateSchema,
  at_capacity: z.boolean().optional(),
});
export type RunAgentResponse = z.infer<typeof RunAgentResponseSchema>;

export const ScheduleInfoSchema = z.object({
  schedule_id: z.string(),
  schedule_name: z.string(),
  cron_schedule: z.string(),
});

export const RunCreatorSchema = z.object({
  type: z.enum(['user', 'service_account']),
  uid: z.string(),
  display_name: z.string().optional(),
  email: z.string().optional(),
});

export const RequestUsageSchema = z.object({
  inference_cost: z.number().optional(),
  compute_cost: z.number().optional(),
  total_tokens: z.number().int().optional(),
});

export const ScopeSchema = z.object({ type: z.enum(['User', 'Team']), uid: z.string().optional() });

export const PlanArtifactDataSchema = z.looseObject({
  document_uid: z.string(),
  artifact_uid: z.string().optional(),
  title: z.string().optional(),
  url: z.string().optional(),
});
export const PullRequestArtifactDataSchema = z.looseObject({ url: z.string(), branch: z.string() });
export const ScreenshotArtifactDataSchema = z.looseObject({
  artifact_uid: z.string(),
  mime_type: z.string(),
  description: z.string().optional(),
});
export const FileArtifactDataSchema = z.looseObject({
  artifact_uid: z.string(),
  filepath: z.string(),
  filename: z.string(),
  mime_type: z.string(),
  description: z.string().optional(),
  size_bytes: z.number().int().optional(),
});

export const ArtifactItemSchema = z.discriminatedUnion('artifact_type', [
  z.object({ artifact_type: z.literal('PLAN'), created_at: Timestamp, data: PlanArtifactDataSchema }),
  z.object({ artifact_type: z.literal('PULL_REQUEST'), created_at: Timestamp, data: PullRequestArtifactDataSchema }),
  z.object({ artifact_type: z.literal('SCREENSHOT'), created_at: Timestamp, data: ScreenshotArtifactDataSchema }),
  z.object({ artifact_type: z.literal('FILE'), created_at: Timestamp, data: FileArtifactDataSchema }),
]);
export type ArtifactItem = z.infer<typeof ArtifactItemSchema>;

export const RunItemSchema = z.object({
  run_id: z.string(),
  task_id: z.string().meta({ deprecated: true, description: 'Same as run_id. Deprecated: use run_id.' }),
  title: z.string(),
  state: RunStateSchema,
  prompt: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp,
  started_at: Timestamp.optional(),
  execution_location: ExecutionLocationSchema.optional(),
  status_message: StatusMessageSchema.optional(),
  source: RunSourceSchema.optional(),
  schedule: ScheduleInfoSchema.optional(),
  session_id: z.string().optional(),
  session_link: z.string().optional(),
  trigger_url: z.string().optional(),
  creator: RunCreatorSchema.optional(),
  request_usage: RequestUsageSchema.optional(),
  agent_config: AgentConfigSchema.optional(),
  conversation_id: z.string().optional(),
  parent_run_id: z.string().optional(),
  artifacts: z.array(ArtifactItemSchema).optional(),
  scope: ScopeSchema.optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  run_time: z.string().meta({ description: 'ISO 8601 duration, e.g. PT2M30S' }).optional(),
  is_run_type_cancellable: z.boolean().optional(),
});
export type RunItem = z.infer<typeof RunItemSchema>;

/** Legacy shape of the `/agent/tasks` routes: a RunItem under its older name. */
export const TaskItemSchema = RunItemSchema;
export type TaskItem = RunItem;

export const PageInfoSchema = z.object({ has_next_page: z.boolean(), next_cursor: z.string().optional() });
export type PageInfo = z.infer<typeof PageInfoSchema>;

export const ListRunsResponseSchema = z.object({ runs: z.array(RunItemSchema), page_info: PageInfoSchema });
export type ListRunsResponse = z.infer<typeof ListRunsResponseSchema>;
export const ListTasksResponseSchema = z.object({ tasks: z.array(TaskItemSchema), page_info: PageInfoSchema });
export type ListTasksResponse = z.infer<typeof ListTasksResponseSchema>;

export const EMPTY_ENVIRONMENT_FILTER = 'empty-environment';
export const MAX_METADATA_FILTERS = 5;
export const MAX_LIST_LIMIT = 500;
export const DEFAULT_LIST_LIMIT = 20;

const FilterTimestamp = z.iso.datetime({
  offset: true,
  error: 'must be an RFC 3339 timestamp, e.g. 2026-01-31T12:00:00Z',
});

/**
 * `GET /agent/runs` query after normalization: repeatable `state` is always an array, `metadata[k]=v` pairs are
 * gathered into `metadata`, and every other parameter appears at most once.
 */
export const ListRunsQuerySchema = z.object({
  limit: z.coerce
    .number({ error: `must be an integer from 1 to ${MAX_LIST_LIMIT}` })
    .int(`must be an integer from 1 to ${MAX_LIST_LIMIT}`)
    .min(1, `must be an integer from 1 to ${MAX_LIST_LIMIT}`)
    .max(MAX_LIST_LIMIT, `must be an integer from 1 to ${MAX_LIST_LIMIT}`)
    .default(DEFAULT_LIST_LIMIT),
  cursor: z.string().min(1).optional(),
  sort_by: z.enum(RUN_SORT_FIELDS).default('updated_at'),
  sort_order: z.enum(['asc', 'desc']).default('desc'),
  state: z.array(RunStateSchema).optional(),
  name: z.string().min(1).optional(),
  config_name: z.string().min(1).meta({ deprecated: true, description: 'Older name of `name`.' }).optional(),
  model_id: z.string().min(1).optional(),
  creator: z.string().min(1).optional(),
  source: RunSourceSchema.optional(),
  execution_location: ExecutionLocationSchema.optional(),
  environment_id: z
    .string()
    .min(1)
    .meta({ description: `Environment id, or "${EMPTY_ENVIRONMENT_FILTER}" for runs without one.` })
    .optional(),
  schedule_id: z.string().min(1).optional(),
  ancestor_run_id: z.string().min(1).optional(),
  artifact_type: z.enum(ARTIFACT_TYPES).optional(),
  created_after: FilterTimestamp.optional(),
  created_before: FilterTimestamp.optional(),
  updated_after: FilterTimestamp.optional(),
  q: z.string().min(1).max(500).meta({ description: 'Case-insensitive search over title and prompt.' }).optional(),
  metadata: z
    .record(z.string(), z.string())
    .refine((m) => Object.keys(m).length <= MAX_METADATA_FILTERS, `at most ${MAX_METADATA_FILTERS} metadata filters`)
    .meta({ description: 'metadata[key]=value filters (AND), at most 5.' })
    .optional(),
});
export type ListRunsQuery = z.infer<typeof ListRunsQuerySchema>;

export const ActionCategorySchema = z.enum(ACTION_CATEGORIES);
export const ActionStateSchema = z.enum(ACTION_STATES);

export const TextContentBlockSchema = z.object({
  type: z.literal('text'),
  message_id: z.string().optional(),
  text: z.string(),
});
export const ActionContentBlockSchema = z.object({
  type: z.literal('action'),
  message_id: z.string().optional(),
  id: z.string(),
  category: ActionCategorySchema,
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
});
export const ActionResultContentBlockSchema = z.object({
  type: z.literal('action_result'),
  message_id: z.string().optional(),
  action_id: z.string(),
  category: ActionCategorySchema,
  name: z.string(),
  state: ActionStateSchema,
  output: z.record(z.string(), z.unknown()),
});
export const EventContentBlockSchema = z.object({
  type: z.literal('event'),
  message_id: z.string().optional(),
  name: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export const ConversationContentBlockSchema = z.discriminatedUnion('type', [
  TextContentBlockSchema,
  ActionContentBlockSchema,
  ActionResultContentBlockSchema,
  EventContentBlockSchema,
]);
export type ConversationContentBlock = z.infer<typeof ConversationContentBlockSchema>;

export const ConversationMessageSchema = z.object({
  message_ids: z.array(z.string()).optional(),
  role: z.enum(['user', 'assistant', 'tool', 'system']),
  timestamp: Timestamp.optional(),
  content: z.array(ConversationContentBlockSchema),
});
export type ConversationMessage = z.infer<typeof ConversationMessageSchema>;

export interface ConversationStep {
  id: string;
  description?: string;
  summary?: string;
  started_at?: string;
  completed_at?: string;
  messages: ConversationMessage[];
  steps: ConversationStep[];
}
export const ConversationStepSchema: z.ZodType<ConversationStep> = z
  .object({
    id: z.string(),
    description: z.string().optional(),
    summary: z.string().optional(),
    started_at: Timestamp.optional(),
    completed_at: Timestamp.optional(),
    messages: z.array(ConversationMessageSchema),
    get steps() {
      return z.array(ConversationStepSchema);
    },
  })
  .meta({ id: 'ConversationStep' }); // Named so schema generators emit a $ref for the recursion.

export const ConversationResponseSchema = z.object({
  conversation_id: z.string(),
  steps: z.array(ConversationStepSchema),
});
export type ConversationResponse = z.infer<typeof ConversationResponseSchema>;

export const MODEL_INFO_PROVIDERS = ['OPENAI', 'ANTHROPIC', 'GOOGLE', 'UNKNOWN'] as const;
export const ModelInfoSchema = z.object({
  id: z.string(),
  display_name: z.string(),
  provider: z.enum(MODEL_INFO_PROVIDERS),
  vision_supported: z.boolean(),
  description: z.string().optional(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;
export const ListModelsResponseSchema = z.object({ default_model_id: z.string(), models: z.array(ModelInfoSchema) });
export type ListModelsResponse = z.infer<typeof ListModelsResponseSchema>;

export const HealthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'down']),
  temporal: z.enum(['ok', 'down']),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/** RFC 7807 problem details with the contract's extension members. */
export const ProblemSchema = z.object({
  type: z.string().meta({ description: 'URI whose last segment is the error code, e.g. .../errors/invalid_request' }),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  error: z.string().meta({ description: '"<title> (<detail>)", for older clients' }),
  retryable: z.boolean().optional(),
  trace_id: z.string().optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;
