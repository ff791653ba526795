/** Request and response shapes of `/api/v1/integrations` (shared by the API, the client and the CLI). */
import { z } from 'zod';
import { SecretNameSchema, SecretValueSchema } from '../secrets/schemas';
import { INTEGRATION_TYPES } from './types';

export const IntegrationTypeSchema = z.enum(INTEGRATION_TYPES, {
  error: `type must be one of ${INTEGRATION_TYPES.join(', ')}`,
});

const SecretRoleSchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'secret roles are snake_case, e.g. webhook_secret');

export const IntegrationNameSchema = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(100, 'name is at most 100 characters');

/**
 * `config` holds the integration's own settings (GitHub: repositories, mention, labels; webhook: prompt_template ...)
 * and the run defaults its runs get: environment_id, model_id, base_prompt, mcp_servers, worker_host.
 */
export const CreateIntegrationRequestSchema = z.strictObject({
  type: IntegrationTypeSchema,
  name: IntegrationNameSchema,
  enabled: z.boolean().optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  /** Existing team secrets by role, e.g. { "token": "GITHUB_TOKEN" }. */
  secret_refs: z.record(SecretRoleSchema, SecretNameSchema).optional(),
  /**
   * Values to store as new team secrets (named `<TYPE>_<NAME>_<ROLE>` unless secret_refs names the secret), e.g.
   * { "webhook_secret": "…" }. Write-only: never returned.
   */
  secret_values: z.record(SecretRoleSchema, SecretValueSchema).optional(),
});
export type CreateIntegrationRequest = z.infer<typeof CreateIntegrationRequestSchema>;

export const UpdateIntegrationRequestSchema = z
  .strictObject({
    name: IntegrationNameSchema.optional(),
    enabled: z.boolean().optional(),
    /** Replaces the whole config (re-registers the webhook when the adapter registers one). */
    config: z.record(z.string(), z.unknown()).optional(),
    secret_refs: z.record(SecretRoleSchema, SecretNameSchema).optional(),
    secret_values: z.record(SecretRoleSchema, SecretValueSchema).optional(),
  })
  .refine((r) => Object.keys(r).length > 0, { message: 'give at least one field to change', path: ['body'] });
export type UpdateIntegrationRequest = z.infer<typeof UpdateIntegrationRequestSchema>;

export const IntegrationStatusSchema = z.object({
  /** connected: enabled and no error since the last event; error: the last thing that happened failed. */
  state: z.enum(['connected', 'disabled', 'error']),
  /** Whether a webhook is registered with the service (for types that register one). */
  webhook_registered: z.boolean(),
  last_event_at: z.string().nullable(),
  last_error: z.string().nullable(),
  last_error_at: z.string().nullable(),
});

export const IntegrationItemSchema = z
  .object({
    id: z.string(),
    type: IntegrationTypeSchema,
    name: z.string(),
    enabled: z.boolean(),
    config: z.record(z.string(), z.unknown()),
    /** Secret names by role (never values). */
    secret_refs: z.record(z.string(), z.string()),
    /** Where the service delivers events. */
    hook_url: z.string(),
    status: IntegrationStatusSchema,
    /** Set on create and update when the service needs a manual step (Slack manifest, generic webhook headers). */
    instructions: z.string().optional(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'IntegrationItem' });
export type IntegrationItem = z.infer<typeof IntegrationItemSchema>;

export const IntegrationListSchema = z.object({ integrations: z.array(IntegrationItemSchema) });
export type IntegrationList = z.infer<typeof IntegrationListSchema>;

export const DeleteIntegrationQuerySchema = z.strictObject({
  force: z
    .enum(['true', 'false'], { error: 'force must be true or false' })
    .optional()
    .transform((v) => v === 'true'),
});

export const DeleteIntegrationResponseSchema = z.object({
  id: z.string(),
  deleted: z.literal(true),
  /** Whether the webhook registered with the service was removed (false with force=true when that failed). */
  webhook_removed: z.boolean(),
});
export type DeleteIntegrationResponse = z.infer<typeof DeleteIntegrationResponseSchema>;
