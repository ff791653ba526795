/**
 * Response shapes of the Agent API as the client checks them. Objects are loose: fields the server adds later pass
 * through untouched, while a missing or mistyped contract field is an error the caller can see.
 */
import { z } from 'zod';
import { ACTION_CATEGORIES, ACTION_STATES, RunStateSchema } from '../domain';

const timestamp = z.string().min(1);

export const RunStatusMessageSchema = z.looseObject({
  message: z.string(),
  error_code: z.string().optional(),
  retryable: z.boolean().optional(),
});

const artifact = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.looseObject({ artifact_type: z.literal(type), created_at: timestamp, data });

export const ArtifactItemSchema = z.discriminatedUnion('artifact_type', [
  artifact('PLAN', z.looseObject({ document_uid: z.string(), title: z.string().optional() })),
  artifact('PULL_REQUEST', z.looseObject({ url: z.string(), branch: z.string() })),
  artifact(
    'SCREENSHOT',
    z.looseObject({ artifact_uid: z.string(), mime_type: z.string(), description: z.string().optional() }),
  ),
  artifact(
    'FILE',
    z.looseObject({
      artifact_uid: z.string(),
      filepath: z.string(),
      filename: z.string(),
      mime_type: z.string(),
      description: z.string().optional(),
      size_bytes: z.number().optional(),
    }),
  ),
]);
export type ArtifactItem = z.infer<typeof ArtifactItemSchema>;

export const RunItemSchema = z.looseObject({
  run_id: z.string(),
  task_id: z.string(),
  title: z.string(),
  state: RunStateSchema,
  prompt: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
  started_at: timestamp.nullish(),
  execution_location: z.string().optional(),
  status_message: RunStatusMessageSchema.optional(),
  source: z.string().optional(),
  schedule: z.looseObject({ schedule_id: z.string(), schedule_name: z.string(), cron_schedule: z.string() }).optional(),
  session_id: z.string().optional(),
  session_link: z.string().optional(),
  trigger_url: z.string().optional(),
  creator: z
    .looseObject({
      type: z.string().optional(),
      uid: z.string().optional(),
      display_name: z.string().optional(),
      email: z.string().optional(),
    })
    .optional(),
  request_usage: z
    .looseObject({
      inference_cost: z.number().optional(),
      compute_cost: z.number().optional(),
      total_tokens: z.number().optional(),
    })
    .optional(),
  agent_config: z.looseObject({}).optional(),
  conversation_id: z.string().optional(),
  parent_run_id: z.string().optional(),
  artifacts: z.array(ArtifactItemSchema).optional(),
  scope: z.looseObject({ type: z.string(), uid: z.string().optional() }).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  run_time: z.string().optional(),
  is_run_type_cancellable: z.boolean().optional(),
});
export type RunItem = z.infer<typeof RunItemSchema>;

export const PageInfoSchema = z.looseObject({
  has_next_page: z.boolean(),
  next_cursor: z.string().nullish(),
});

export const ListRunsResponseSchema = z.looseObject({
  runs: z.array(RunItemSchema),
  page_info: PageInfoSchema,
});
export type ListRunsResponse = z.infer<typeof ListRunsResponseSchema>;

export const RunAgentResponseSchema = z.looseObject({
  run_id: z.string(),
  task_id: z.string(),
  state: RunStateSchema,
  at_capacity: z.boolean().optional(),
});
export type RunAgentResponse = z.infer<typeof RunAgentResponseSchema>;

/** Cancel answers with a bare JSON string: the run id. */
export const CancelRunResponseSchema = z.string();

export const FollowupResponseSchema = z
  .object({
    run_id: z.string(),
    followup_id: z.string(),
    delivery: z.enum(['delivered', 'restarted']),
    execution: z.number().int(),
  })
  .loose();
export type FollowupResponse = z.infer<typeof FollowupResponseSchema>;

export const ApprovalDecisionResponseSchema = z
  .object({ run_id: z.string(), action_id: z.string(), decision: z.enum(['approve', 'deny']) })
  .loose();
export type ApprovalDecisionResponse = z.infer<typeof ApprovalDecisionResponseSchema>;

export const InterruptRunResponseSchema = z
  .object({ run_id: z.string(), turn: z.number().int(), interrupted_by: z.string() })
  .loose();
export type InterruptRunResponse = z.infer<typeof InterruptRunResponseSchema>;

const metaFields = { message_id: z.string().optional() };

export const TextContentBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string(), ...metaFields });
export const ActionContentBlockSchema = z.looseObject({
  type: z.literal('action'),
  id: z.string(),
  category: z.enum(ACTION_CATEGORIES),
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
  ...metaFields,
});
export const ActionResultContentBlockSchema = z.looseObject({
  type: z.literal('action_result'),
  action_id: z.string(),
  category: z.enum(ACTION_CATEGORIES),
  name: z.string(),
  state: z.enum(ACTION_STATES),
  output: z.record(z.string(), z.unknown()),
  ...metaFields,
});
export const EventContentBlockSchema = z.looseObject({
  type: z.literal('event'),
  name: z.string(),
  data: z.record(z.string(), z.unknown()),
  ...metaFields,
});
export const ConversationContentBlockSchema = z.discriminatedUnion('type', [
  TextContentBlockSchema,
  ActionContentBlockSchema,
  ActionResultContentBlockSchema,
  EventContentBlockSchema,
]);
export type ConversationContentBlock = z.infer<typeof ConversationContentBlockSchema>;

export const ConversationMessageSchema = z.looseObject({
  role: z.enum(['user', 'assistant', 'tool', 'system']),
  timestamp: timestamp.optional(),
  message_ids: z.array(z.string()).optional(),
  request_id: z.string().optional(),
  content: z.array(ConversationContentBlockSchema),
});
export type ConversationMessage = z.infer<typeof ConversationMessageSchema>;

export interface ConversationStep {
  id: string;
  description?: string | undefined;
  summary?: string | undefined;
  started_at?: string | undefined;
  completed_at?: string | undefined;
  messages: ConversationMessage[];
  steps: ConversationStep[];
  [extra: string]: unknown;
}
export const ConversationStepSchema: z.ZodType<ConversationStep> = z.looseObject({
  id: z.string(),
  description: z.string().optional(),
  summary: z.string().optional(),
  started_at: timestamp.optional(),
  completed_at: timestamp.optional(),
  messages: z.array(ConversationMessageSchema),
  get steps(): z.ZodArray<z.ZodType<ConversationStep>> {
    return z.array(ConversationStepSchema);
  },
});

export const ConversationResponseSchema = z.looseObject({
  conversation_id: z.string(),
  steps: z.array(ConversationStepSchema),
});
export type ConversationResponse = z.infer<typeof ConversationResponseSchema>;

export const ModelInfoSchema = z.looseObject({
  id: z.string(),
  display_name: z.string(),
  provider: z.string(),
  vision_supported: z.boolean(),
  description: z.string().optional(),
  reasoning_level: z.string().optional(),
  disable_reason: z.string().optional(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

export const ListModelsResponseSchema = z.looseObject({
  default_model_id: z.string(),
  models: z.array(ModelInfoSchema),
});
export type ListModelsResponse = z.infer<typeof ListModelsResponseSchema>;

/** `status` is `ok` or `degraded`; the other fields name each dependency (`database`, `temporal`: ok | down). */
export const HealthResponseSchema = z.looseObject({
  status: z.string(),
  database: z.string().optional(),
  temporal: z.string().optional(),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

export const EnvironmentRepositorySchema = z.looseObject({ url: z.string(), ref: z.string().optional() });

const ScopeSchema = z.looseObject({ type: z.string(), uid: z.string().optional() });
const CreatorSchema = z.looseObject({
  type: z.string().optional(),
  uid: z.string().optional(),
  display_name: z.string().optional(),
  email: z.string().optional(),
});

export const EnvironmentItemSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  docker_image: z.string(),
  repositories: z.array(EnvironmentRepositorySchema),
  setup_commands: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  scope: ScopeSchema,
  setup_failed: z.boolean(),
  creator: CreatorSchema.optional(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type EnvironmentItem = z.infer<typeof EnvironmentItemSchema>;

export const ListEnvironmentsResponseSchema = z.looseObject({
  environments: z.array(EnvironmentItemSchema),
  page_info: PageInfoSchema,
});
export type ListEnvironmentsResponse = z.infer<typeof ListEnvironmentsResponseSchema>;

export const DeleteEnvironmentResponseSchema = z.looseObject({ success: z.boolean() });
export type DeleteEnvironmentResponse = z.infer<typeof DeleteEnvironmentResponseSchema>;

/** One item of the Oz-compatible `GET /agent/environments` listing. */
export const CloudEnvironmentSchema = z.looseObject({
  uid: z.string(),
  config: z.looseObject({
    name: z.string().optional(),
    description: z.string().nullish(),
    docker_image: z.string().optional(),
    github_repos: z.array(z.looseObject({ owner: z.string(), repo: z.string() })).optional(),
    setup_commands: z.array(z.string()).optional(),
  }),
  last_updated: timestamp,
  setup_failed: z.boolean(),
  scope: ScopeSchema.optional(),
  creator: CreatorSchema.optional(),
});
export type CloudEnvironment = z.infer<typeof CloudEnvironmentSchema>;

export const ListCloudEnvironmentsResponseSchema = z.looseObject({ environments: z.array(CloudEnvironmentSchema) });
export type ListCloudEnvironmentsResponse = z.infer<typeof ListCloudEnvironmentsResponseSchema>;

/** One event of a run's live stream (`GET /agent/runs/{id}/events`). */
export const RunEventSchema = z
  .object({
    id: z.string(),
    run_id: z.string(),
    type: z.string(),
    created_at: z.string(),
    data: z.unknown(),
  })
  .loose();
export type RunEvent = z.infer<typeof RunEventSchema>;
