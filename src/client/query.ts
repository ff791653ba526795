import { z } from 'zod';
import { AmbitInvalidRequestError } from './errors';
import { ARTIFACT_TYPES, EXECUTION_LOCATIONS, RUN_SORT_FIELDS, RunStateSchema, type RunState } from '../domain';

const dateLike = z.union([z.date(), z.string().min(1)]).transform((d) => (d instanceof Date ? d.toISOString() : d));

/** Query of `GET /agent/runs`. Arrays repeat (`state=A&state=B`); metadata becomes `metadata[k]=v`. */
export const ListRunsParamsSchema = z.strictObject({
  limit: z.number().int().min(1, 'limit is 1 to 500').max(500, 'limit is 1 to 500').optional(),
  cursor: z.string().min(1).optional(),
  sort_by: z.enum(RUN_SORT_FIELDS).optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
  state: z.union([RunStateSchema, z.array(RunStateSchema)]).optional(),
  name: z.string().min(1).optional(),
  model_id: z.string().min(1).optional(),
  creator: z.string().min(1).optional(),
  source: z.string().min(1).optional(),
  execution_location: z.enum(EXECUTION_LOCATIONS).optional(),
  environment_id: z.string().min(1).optional(),
  schedule_id: z.string().min(1).optional(),
  ancestor_run_id: z.string().min(1).optional(),
  artifact_type: z.enum(ARTIFACT_TYPES).optional(),
  skill_spec: z.string().min(1).optional(),
  created_after: dateLike.optional(),
  created_before: dateLike.optional(),
  updated_after: dateLike.optional(),
  q: z.string().min(1).optional(),
  metadata: z
    .record(z.string().min(1), z.string())
    .refine((m) => Object.keys(m).length <= 5, 'at most 5 metadata filters')
    .optional(),
});
export type ListRunsParams = z.input<typeof ListRunsParamsSchema>;
export type { RunState };

/** Validates list parameters and encodes them as the API expects; a bad field throws `AmbitInvalidRequestError`. */
export function encodeListRunsQuery(params: ListRunsParams = {}): URLSearchParams {
  const parsed = ListRunsParamsSchema.safeParse(params);
  if (!parsed.success) throw new AmbitInvalidRequestError('list parameters', parsed.error);
  const { metadata, ...rest } = parsed.data;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v));
  }
  for (const [k, v] of Object.entries(metadata ?? {})) search.append(`metadata[${k}]`, v);
  return search;
}
