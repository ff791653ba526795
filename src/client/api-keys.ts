import { z } from 'zod';
import {
  ApiKeyItemSchema,
  CreateApiKeyRequestSchema,
  CreatedApiKeySchema,
  ListApiKeysQuerySchema,
  ListApiKeysResponseSchema,
  type ApiKeyItem,
  type CreateApiKeyRequest,
  type CreatedApiKey,
  type ListApiKeysResponse,
} from '../services/api-keys/schemas';
import { AmbitInvalidRequestError } from './errors';
import type { RequestOptions, Transport } from './http';

export type ListApiKeysParams = z.input<typeof ListApiKeysQuerySchema>;
export type { ApiKeyItem, CreateApiKeyRequest, CreatedApiKey, ListApiKeysResponse };

function keyPath(id: string): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new AmbitInvalidRequestError(
      'API key id',
      new z.ZodError([{ code: 'custom', path: ['id'], message: 'an API key id is required', input: id }]),
    );
  }
  return `/api-keys/${encodeURIComponent(id)}`;
}

export class ApiKeysResource {
  constructor(private readonly transport: Transport) {}

  /**
   * Creates a key; `key` in the answer is the only time the secret is shown. Not retried: a retry after a lost
   * response would create a second key.
   */
  async create(request: CreateApiKeyRequest, options?: RequestOptions): Promise<CreatedApiKey> {
    const parsed = CreateApiKeyRequestSchema.safeParse(request);
    if (!parsed.success) throw new AmbitInvalidRequestError('API key request', parsed.error);
    return await this.transport.request({ method: 'POST', path: '/api-keys', body: request }, CreatedApiKeySchema, {
      maxRetries: 0,
      ...options,
    });
  }

  async list(params: ListApiKeysParams = {}, options?: RequestOptions): Promise<ListApiKeysResponse> {
    const parsed = ListApiKeysQuerySchema.safeParse(params);
    if (!parsed.success) throw new AmbitInvalidRequestError('API key list parameters', parsed.error);
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(parsed.data)) if (v !== undefined) query.append(k, v);
    return await this.transport.request(
      { method: 'GET', path: '/api-keys', query },
      ListApiKeysResponseSchema,
      options,
    );
  }

  /** The key stops working now. */
  async expire(id: string, options?: RequestOptions): Promise<ApiKeyItem> {
    return await this.transport.request({ method: 'POST', path: `${keyPath(id)}/expire` }, ApiKeyItemSchema, options);
  }
}
