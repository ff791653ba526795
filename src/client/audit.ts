import { ZodError, type z } from 'zod';
import {
  AuditPageQuerySchema,
  ListAuditQuerySchema,
  ListAuditResponseSchema,
  type AuditEventItem,
  type ListAuditResponse,
} from '../services/audit/schemas';
import { AmbitInvalidRequestError } from './errors';
import type { RequestOptions, Transport } from './http';

export type ListAuditParams = z.input<typeof ListAuditQuerySchema>;
export type AuditPageParams = z.input<typeof AuditPageQuerySchema>;
export type { AuditEventItem, ListAuditResponse };

function encode(schema: typeof ListAuditQuerySchema | typeof AuditPageQuerySchema, params: unknown): URLSearchParams {
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) throw new AmbitInvalidRequestError('audit query', parsed.error);
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(parsed.data)) if (v !== undefined) query.append(k, String(v));
  return query;
}

export class AuditResource {
  constructor(private readonly transport: Transport) {}

  /** One page of the team's audit log, newest first (admin keys only). */
  async list(params: ListAuditParams = {}, options?: RequestOptions): Promise<ListAuditResponse> {
    return await this.transport.request(
      { method: 'GET', path: '/audit', query: encode(ListAuditQuerySchema, params) },
      ListAuditResponseSchema,
      options,
    );
  }

  /** One page of a run's own trail, oldest first. */
  async forRun(runId: string, params: AuditPageParams = {}, options?: RequestOptions): Promise<ListAuditResponse> {
    if (typeof runId !== 'string' || runId.length === 0) {
      throw new AmbitInvalidRequestError(
        'run id',
        new ZodError([{ code: 'custom', path: ['id'], message: 'a run id is required', input: runId }]),
      );
    }
    return await this.transport.request(
      {
        method: 'GET',
        path: `/agent/runs/${encodeURIComponent(runId)}/audit`,
        query: encode(AuditPageQuerySchema, params),
      },
      ListAuditResponseSchema,
      options,
    );
  }
}
