import { z } from 'zod';
import {
  DeleteIntegrationResponseSchema,
  IntegrationItemSchema,
  IntegrationListSchema,
  type CreateIntegrationRequest,
  type DeleteIntegrationResponse,
  type IntegrationItem,
  type IntegrationList,
  type UpdateIntegrationRequest,
} from '../integrations/schemas';
import type { IntegrationType } from '../integrations/types';
import { AmbitInvalidRequestError } from './errors';
import type { RequestOptions, Transport } from './http';

function integrationPath(id: string): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new AmbitInvalidRequestError(
      'integration id',
      new z.ZodError([{ code: 'custom', path: ['id'], message: 'an integration id is required', input: id }]),
    );
  }
  return `/integrations/${encodeURIComponent(id)}`;
}

/** `/integrations`: GitHub, Slack, Linear and generic webhooks. Secret values go in and never come out. */
export class IntegrationsResource {
  constructor(private readonly transport: Transport) {}

  /** Not retried after a lost response: a retry would answer 409 (the name is taken) rather than repeat it. */
  async create(request: CreateIntegrationRequest, options?: RequestOptions): Promise<IntegrationItem> {
    return await this.transport.request(
      { method: 'POST', path: '/integrations', body: request },
      IntegrationItemSchema,
      options,
    );
  }

  async list(params: { type?: IntegrationType } = {}, options?: RequestOptions): Promise<IntegrationList> {
    const query = params.type ? new URLSearchParams({ type: params.type }) : undefined;
    return await this.transport.request(
      { method: 'GET', path: '/integrations', query },
      IntegrationListSchema,
      options,
    );
  }

  async get(id: string, options?: RequestOptions): Promise<IntegrationItem> {
    return await this.transport.request({ method: 'GET', path: integrationPath(id) }, IntegrationItemSchema, options);
  }

  async update(id: string, request: UpdateIntegrationRequest, options?: RequestOptions): Promise<IntegrationItem> {
    return await this.transport.request(
      { method: 'PATCH', path: integrationPath(id), body: request },
      IntegrationItemSchema,
      options,
    );
  }

  async delete(
    id: string,
    params: { force?: boolean } = {},
    options?: RequestOptions,
  ): Promise<DeleteIntegrationResponse> {
    const query = params.force ? new URLSearchParams({ force: 'true' }) : undefined;
    return await this.transport.request(
      { method: 'DELETE', path: integrationPath(id), query },
      DeleteIntegrationResponseSchema,
      options,
    );
  }
}
