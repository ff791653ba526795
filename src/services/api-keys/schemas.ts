/**
 * Request and response shapes of `/api-keys` (pure zod: the route, the OpenAPI document and the client share them).
 * A key's secret appears in one response only, the creation's `key` field.
 */
import { z } from 'zod';

export const API_KEY_EXPIRIES = ['1d', '30d', '90d', 'never'] as const;
export const ApiKeyExpirySchema = z.enum(API_KEY_EXPIRIES, {
  error: `expires_in must be one of ${API_KEY_EXPIRIES.join(', ')}`,
});
export type ApiKeyExpiry = z.infer<typeof ApiKeyExpirySchema>;
export const DEFAULT_API_KEY_EXPIRY: ApiKeyExpiry = '90d';

const DAY_MS = 86_400_000;
const EXPIRY_MS: Record<ApiKeyExpiry, number | null> = {
  '1d': DAY_MS,
  '30d': 30 * DAY_MS,
  '90d': 90 * DAY_MS,
  never: null,
};

/** When a key created at `now` with `expiry` stops working, or null for never. */
export function expiresAtOf(expiry: ApiKeyExpiry, now: Date): Date | null {
  const ms = EXPIRY_MS[expiry];
  return ms === null ? null : new Date(now.getTime() + ms);
}

export const CreateApiKeyRequestSchema = z.strictObject({
  name: z
    .string({ error: 'name is required, e.g. "laptop" or "CI"' })
    .trim()
    .min(1, 'name must not be empty')
    .max(200, 'name is at most 200 characters'),
  scope: z.enum(['personal', 'team'], { error: "scope must be 'personal' or 'team'" }).default('personal'),
  expires_in: ApiKeyExpirySchema.default(DEFAULT_API_KEY_EXPIRY),
  user_id: z
    .string()
    .min(1, 'user_id must not be empty; omit it for a key of your own')
    .max(255)
    .optional()
    .meta({ description: 'Admins only: create a personal key for this member of the team' }),
});
export type CreateApiKeyRequest = z.input<typeof CreateApiKeyRequestSchema>;

export const API_KEY_STATES = ['active', 'expired', 'revoked'] as const;

export const ApiKeyItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The recognizable start of the key (e.g. "ambit_Ab3dEf"), never the whole key. */
  prefix: z.string(),
  scope: z.enum(['personal', 'team']),
  user: z.object({ uid: z.string(), display_name: z.string(), email: z.string().nullable() }).nullable(),
  state: z.enum(API_KEY_STATES),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type ApiKeyItem = z.infer<typeof ApiKeyItemSchema>;

export const CreatedApiKeySchema = ApiKeyItemSchema.extend({
  key: z.string().meta({ description: 'The key itself: shown in this response only, never again' }),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

export const ListApiKeysQuerySchema = z.strictObject({
  scope: z.enum(['personal', 'team'], { error: "scope must be 'personal' or 'team'" }).optional(),
  state: z.enum(API_KEY_STATES, { error: `state must be one of ${API_KEY_STATES.join(', ')}` }).optional(),
});
export type ListApiKeysQuery = z.infer<typeof ListApiKeysQuerySchema>;

export const ListApiKeysResponseSchema = z.object({ api_keys: z.array(ApiKeyItemSchema) });
export type ListApiKeysResponse = z.infer<typeof ListApiKeysResponseSchema>;
