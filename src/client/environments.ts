import { z } from 'zod';
import {
  AGENT_ENVIRONMENT_SORT_FIELDS,
  ENVIRONMENT_SCOPES,
  ENVIRONMENT_SORT_FIELDS,
  type CreateEnvironmentRequest,
  type ReplaceEnvironmentRequest,
  type UpdateEnvironmentRequest,
} from '../domain';
import { AmbitInvalidRequestError } from './errors';
import type { RequestOptions, Transport } from './http';
import {
  DeleteEnvironmentResponseSchema,
  EnvironmentItemSchema,
  ListCloudEnvironmentsResponseSchema,
  ListEnvironmentsResponseSchema,
  type DeleteEnvironmentResponse,
  type EnvironmentItem,
  type ListCloudEnvironmentsResponse,
  type ListEnvironmentsResponse,
} from './schemas';

/** Query of `GET /environments`. */
export const ListEnvironmentsParamsSchema = z.strictObject({
  limit: z.number().int().min(1, 'limit is 1 to 500').max(500, 'limit is 1 to 500').optional(),
  cursor: z.string().min(1).optional(),
  sort_by: z.enum(ENVIRONMENT_SORT_FIELDS).optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
  name: z.string().min(1).optional(),
  scope: z.enum(ENVIRONMENT_SCOPES).optional(),
});
export type ListEnvironmentsParams = z.input<typeof ListEnvironmentsParamsSchema>;

export const ListCloudEnvironmentsParamsSchema = z.strictObject({
  sort_by: z.enum(AGENT_ENVIRONMENT_SORT_FIELDS).optional(),
});
export type ListCloudEnvironmentsParams = z.input<typeof ListCloudEnvironmentsParamsSchema>;

function encode(
  schema: z.ZodType<Record<string, string | number | undefined>>,
  params: unknown,
  what: string,
): URLSearchParams {
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) throw new AmbitInvalidRequestError(what, parsed.error);
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parsed.data)) {
    if (value !== undefined) search.append(key, String(value));
  }
  return search;
}

function environmentPath(id: string): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new AmbitInvalidRequestError(
      'environment id',
      new z.ZodError([{ code: 'custom', path: ['id'], message: 'an environment id is required', input: id }]),
    );
  }
  return `/environments/${encodeURIComponent(id)}`;
}

export class EnvironmentsResource {
  constructor(private readonly transport: Transport) {}

  /**
   * Creates an environment. Not idempotent: if a response is lost and the request retried, the retry answers 409
   * (the name is taken) and the detail names the environment the first attempt created.
   */
  async create(request: CreateEnvironmentRequest, options?: RequestOptions): Promise<EnvironmentItem> {
    return await this.transport.request(
      { method: 'POST', path: '/environments', body: request },
      EnvironmentItemSchema,
      options,
    );
  }

  /** One page of environments; follow `page_info.next_cursor` (or use `listAll`) for the rest. */
  async list(params?: ListEnvironmentsParams, options?: RequestOptions): Promise<ListEnvironmentsResponse> {
    return await this.transport.request(
      {
        method: 'GET',
        path: '/environments',
        query: encode(ListEnvironmentsParamsSchema, params, 'environment list parameters'),
      },
      ListEnvironmentsResponseSchema,
      options,
    );
  }

  /** Every environment matching `params`, fetching the next page only when the previous one is consumed. */
  async *listAll(
    params: ListEnvironmentsParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<EnvironmentItem, void, undefined> {
    let cursor = params.cursor;
    for (;;) {
      const page = await this.list({ ...params, cursor }, options);
      yield* page.environments;
      const next = page.page_info.next_cursor;
      if (!page.page_info.has_next_page || !next || next === cursor) return;
      cursor = next;
    }
  }

  async get(id: string, options?: RequestOptions): Promise<EnvironmentItem> {
    return await this.transport.request({ method: 'GET', path: environmentPath(id) }, EnvironmentItemSchema, options);
  }

  /** PUT: the whole environment; optional fields left out are cleared. */
  async replace(id: string, request: ReplaceEnvironmentRequest, options?: RequestOptions): Promise<EnvironmentItem> {
    return await this.transport.request(
      { method: 'PUT', path: environmentPath(id), body: request },
      EnvironmentItemSchema,
      options,
    );
  }

  /** PATCH: only the fields given change; `description: null` clears the description. */
  async update(id: string, request: UpdateEnvironmentRequest, options?: RequestOptions): Promise<EnvironmentItem> {
    return await this.transport.request(
      { method: 'PATCH', path: environmentPath(id), body: request },
      EnvironmentItemSchema,
      options,
    );
  }

  /** Refused (409) while runs that have not ended use the environment, unless `force`. */
  async delete(
    id: string,
    params: { force?: boolean } = {},
    options?: RequestOptions,
  ): Promise<DeleteEnvironmentResponse> {
    const query = params.force ? new URLSearchParams({ force: 'true' }) : undefined;
    return await this.transport.request(
      { method: 'DELETE', path: environmentPath(id), query },
      DeleteEnvironmentResponseSchema,
      options,
    );
  }

  /** The Oz-compatible listing (`GET /agent/environments`): every visible environment, GitHub repositories only. */
  async listCloud(
    params?: ListCloudEnvironmentsParams,
    options?: RequestOptions,
  ): Promise<ListCloudEnvironmentsResponse> {
    return await this.transport.request(
      {
        method: 'GET',
        path: '/agent/environments',
        query: encode(ListCloudEnvironmentsParamsSchema, params, 'environment list parameters'),
      },
      ListCloudEnvironmentsResponseSchema,
      options,
    );
  }
}
