import { z } from 'zod';
import { AgentConfigSchema } from './agent-config';
import { RUN_STATES } from './run-state';

export const RunStateSchema = z.enum(RUN_STATES);

export const RUN_SOURCES = [
  'API',
  'CLI',
  'SLACK',
  'LINEAR',
  'SCHEDULED_AGENT',
  'WEB_APP',
  'GITHUB_ACTION',
  'WEBHOOK',
  'GITHUB',
] as const;
export const RunSourceSchema = z.enum(RUN_SOURCES);
export type RunSource = z.infer<typeof RunSourceSchema>;

export const EXECUTION_LOCATIONS = ['LOCAL', 'REMOTE'] as const;
export const ExecutionLocationSchema = z.enum(EXECUTION_LOCATIONS);

export const METADATA_KEY_PATTERN = /^[a-zA-Z0-9._-]{1,64}$/;
export const MetadataSchema = z
  .record(
    z.string().regex(METADATA_KEY_PATTERN, 'metadata keys must match [a-zA-Z0-9._-]{1,64}'),
    z.string().refine((v) => Buffer.byteLength(v, 'utf8') <= 256, 'metadata values are at most 256 bytes'),
  )
  .refine((m) => Object.keys(m).length <= 20, 'metadata has at most 20 keys');

export const AttachmentSchema = z.object({
  file_name: z.string().min(1).max(255),
  mime_type: z.string().min(1),
  data: z.base64('attachment data must be base64'),
});

export const RUN_MODES = ['normal', 'plan', 'orchestrate'] as const;

export const RunAgentRequestSchema = z
  .object({
    prompt: z.string().min(1, 'prompt must not be empty').max(200_000).optional(),
    skill: z.string().min(1).optional(),
    title: z.string().min(1).max(300).optional(),
    config: AgentConfigSchema.optional(),
    team: z.boolean().optional(),
    parent_run_id: z.string().min(1).optional(),
    conversation_id: z.string().min(1).optional(),
    attachments: z.array(AttachmentSchema).max(5, 'at most 5 attachments').optional(),
    interactive: z.boolean().optional(),
    mode: z.enum(RUN_MODES).optional(),
    metadata: MetadataSchema.optional(),
    /** Ambit: how the run was started (the CLI sends CLI; adapters set their own). */
    source: RunSourceSchema.optional(),
  })
  .refine(
    (r) =>
      r.prompt !== undefined ||
      r.skill !== undefined ||
      r.config?.skill_spec !== undefined ||
      r.config?.saved_prompt !== undefined,
    {
      message: 'prompt is required unless skill, config.skill_spec or config.saved_prompt is given',
      path: ['prompt'],
    },
  );
export type RunAgentRequest = z.infer<typeof RunAgentRequestSchema>;

export const StatusMessageSchema = z.object({
  message: z.string(),
  error_code: z.string().optional(),
  retryable: z.boolean().optional(),
});
export type StatusMessage = z.infer<typeof StatusMessageSchema>;

export const ARTIFACT_TYPES = ['PLAN', 'PULL_REQUEST', 'SCREENSHOT', 'FILE'] as const;
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];

export const ACTION_CATEGORIES = [
  'command',
  'files',
  'search',
  'integration',
  'documents',
  'computer',
  'review',
  'skill',
] as const;
export type ActionCategory = (typeof ACTION_CATEGORIES)[number];
export const ACTION_STATES = ['running', 'completed', 'failed', 'denied'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

export const RUN_SORT_FIELDS = ['updated_at', 'created_at', 'title', 'agent'] as const;
export type RunSortField = (typeof RUN_SORT_FIELDS)[number];
