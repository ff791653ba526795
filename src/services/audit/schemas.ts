/** Query and response shapes of the audit log (`GET /audit`, `GET /agent/runs/{id}/audit`); pure zod. */
import { z } from 'zod';

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 500;

const instant = (field: string) =>
  z.iso.datetime({ offset: true, error: `${field} must be an ISO 8601 time, e.g. 2026-11-29T18:00:00Z` });

/** Paging shared by both listings. */
export const AuditPageQuerySchema = z.strictObject({
  limit: z.coerce
    .number({ error: `limit must be a number from 1 to ${MAX_AUDIT_LIMIT}` })
    .int(`limit must be a whole number from 1 to ${MAX_AUDIT_LIMIT}`)
    .min(1, `limit must be from 1 to ${MAX_AUDIT_LIMIT}`)
    .max(MAX_AUDIT_LIMIT, `limit must be from 1 to ${MAX_AUDIT_LIMIT}`)
    .default(DEFAULT_AUDIT_LIMIT),
  cursor: z.string().min(1, 'cursor must not be empty; drop it for the first page').optional(),
});

export const ListAuditQuerySchema = AuditPageQuerySchema.extend({
  action: z.string().min(1).max(100).optional().meta({ description: 'e.g. run.created, api_key.expired' }),
  actor_user_id: z.string().min(1).max(255).optional(),
  target_type: z.string().min(1).max(100).optional().meta({ description: 'e.g. run, api_key, environment' }),
  target_id: z.string().min(1).max(255).optional(),
  run_id: z.string().min(1).max(255).optional(),
  since: instant('since').optional().meta({ description: 'Events at or after this time' }),
  until: instant('until').optional().meta({ description: 'Events before this time' }),
});
export type ListAuditQuery = z.output<typeof ListAuditQuerySchema>;
export type AuditPageQuery = z.output<typeof AuditPageQuerySchema>;

export const AuditEventItemSchema = z.object({
  id: z.string().meta({ description: 'Increasing; later events have larger ids' }),
  created_at: z.string(),
  actor: z.object({
    type: z.string().meta({ description: 'user | service_account | system | trigger' }),
    user_id: z.string().nullable(),
    key_id: z.string().nullable(),
  }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  run_id: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type AuditEventItem = z.infer<typeof AuditEventItemSchema>;

export const ListAuditResponseSchema = z.object({
  events: z.array(AuditEventItemSchema),
  page_info: z.object({ has_next_page: z.boolean(), next_cursor: z.string().nullable() }),
});
export type ListAuditResponse = z.infer<typeof ListAuditResponseSchema>;
