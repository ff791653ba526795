/** Wire shapes of the secrets API. A secret's value goes in (create, update) and never comes out. */
import { z } from 'zod';

export const SECRET_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;

export const SecretNameSchema = z
  .string({ error: 'required: an environment variable name such as GITHUB_TOKEN' })
  .max(128, 'at most 128 characters')
  .regex(
    SECRET_NAME_PATTERN,
    'must be an environment variable name: capital letters, digits and "_", not starting with a digit (e.g. GITHUB_TOKEN)',
  );

export const SecretValueSchema = z
  .string({ error: 'required: the secret value as a string' })
  .min(1, 'must not be empty')
  .refine((v) => !v.includes('\0'), 'must not contain NUL characters (it becomes an environment variable)')
  .refine((v) => Buffer.byteLength(v, 'utf8') <= MAX_SECRET_VALUE_BYTES, 'at most 64 KiB');

export const SecretScopeSchema = z.enum(['Team', 'User'], { error: 'use "Team" or "User"' });
export type SecretScope = z.infer<typeof SecretScopeSchema>;

const DescriptionSchema = z.string().max(500, 'at most 500 characters');

export const CreateSecretRequestSchema = z.strictObject({
  name: SecretNameSchema,
  value: SecretValueSchema,
  description: DescriptionSchema.optional(),
  scope: SecretScopeSchema.optional().describe('Team (default; needs an admin key) or User (personal)'),
});
export type CreateSecretRequest = z.infer<typeof CreateSecretRequestSchema>;

export const UpdateSecretRequestSchema = z
  .strictObject({
    value: SecretValueSchema.optional(),
    description: DescriptionSchema.nullable().optional(),
  })
  .refine((r) => r.value !== undefined || r.description !== undefined, {
    message: 'send value, description, or both',
  });
export type UpdateSecretRequest = z.infer<typeof UpdateSecretRequestSchema>;

export const ListSecretsQuerySchema = z.strictObject({
  scope: SecretScopeSchema.optional(),
});
export type ListSecretsQuery = z.infer<typeof ListSecretsQuerySchema>;

export const SecretItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  scope: z.object({ type: SecretScopeSchema, uid: z.string().optional() }),
  created_by: z.string().optional().describe('user id of the creator'),
  created_at: z.string(),
  updated_at: z.string(),
  last_used_at: z.string().optional(),
});
export type SecretItem = z.infer<typeof SecretItemSchema>;

export const SecretListSchema = z.object({ secrets: z.array(SecretItemSchema) });
export type SecretList = z.infer<typeof SecretListSchema>;

export const DeleteSecretResponseSchema = z.object({ id: z.string(), deleted: z.literal(true) });
