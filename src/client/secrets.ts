import { z } from 'zod';
import {
  DeleteSecretResponseSchema,
  SecretItemSchema,
  SecretListSchema,
  type CreateSecretRequest,
  type SecretItem,
  type SecretList,
  type SecretScope,
  type UpdateSecretRequest,
} from '../secrets/schemas';
import { AmbitInvalidRequestError } from './errors';
import type { RequestOptions, Transport } from './http';

export type DeleteSecretResponse = z.infer<typeof DeleteSecretResponseSchema>;

function secretPath(id: string): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new AmbitInvalidRequestError(
      'secret id',
      new z.ZodError([{ code: 'custom', path: ['id'], message: 'a secret id is required', input: id }]),
    );
  }
  return `/secrets/${encodeURIComponent(id)}`;
}

/** Secrets are write-only: every method answers metadata; no method returns a value. */
export class SecretsResource {
  constructor(private readonly transport: Transport) {}

  /** Not retried after a lost response: a retry would answer 409 (the name is taken) rather than repeat it. */
  async create(request: CreateSecretRequest, options?: RequestOptions): Promise<SecretItem> {
    return await this.transport.request({ method: 'POST', path: '/secrets', body: request }, SecretItemSchema, options);
  }

  async list(params: { scope?: SecretScope } = {}, options?: RequestOptions): Promise<SecretList> {
    const query = params.scope ? new URLSearchParams({ scope: params.scope }) : undefined;
    return await this.transport.request({ method: 'GET', path: '/secrets', query }, SecretListSchema, options);
  }

  async get(id: string, options?: RequestOptions): Promise<SecretItem> {
    return await this.transport.request({ method: 'GET', path: secretPath(id) }, SecretItemSchema, options);
  }

  async update(id: string, request: UpdateSecretRequest, options?: RequestOptions): Promise<SecretItem> {
    return await this.transport.request(
      { method: 'PATCH', path: secretPath(id), body: request },
      SecretItemSchema,
      options,
    );
  }

  async delete(id: string, options?: RequestOptions): Promise<DeleteSecretResponse> {
    return await this.transport.request(
      { method: 'DELETE', path: secretPath(id) },
      DeleteSecretResponseSchema,
      options,
    );
  }
}
