import { z } from 'zod';
import {
  AddMemberRequestSchema,
  ListMembersResponseSchema,
  MemberItemSchema,
  RemoveMemberResponseSchema,
  UpdateMemberRequestSchema,
  type AddMemberRequest,
  type ListMembersResponse,
  type MemberItem,
  type UpdateMemberRequest,
} from '../services/members/schemas';
import { AmbitInvalidRequestError } from './errors';
import type { RequestOptions, Transport } from './http';

export type { AddMemberRequest, ListMembersResponse, MemberItem, UpdateMemberRequest };

function memberPath(userId: string): string {
  if (typeof userId !== 'string' || userId.length === 0) {
    throw new AmbitInvalidRequestError(
      'user id',
      new z.ZodError([{ code: 'custom', path: ['user_id'], message: 'a user id is required', input: userId }]),
    );
  }
  return `/members/${encodeURIComponent(userId)}`;
}

/** Team membership (admin keys only). */
export class MembersResource {
  constructor(private readonly transport: Transport) {}

  async list(options?: RequestOptions): Promise<ListMembersResponse> {
    return await this.transport.request({ method: 'GET', path: '/members' }, ListMembersResponseSchema, options);
  }

  async add(request: AddMemberRequest, options?: RequestOptions): Promise<MemberItem> {
    const parsed = AddMemberRequestSchema.safeParse(request);
    if (!parsed.success) throw new AmbitInvalidRequestError('member request', parsed.error);
    return await this.transport.request({ method: 'POST', path: '/members', body: request }, MemberItemSchema, options);
  }

  async update(userId: string, request: UpdateMemberRequest, options?: RequestOptions): Promise<MemberItem> {
    return await this.transport.request(
      { method: 'PATCH', path: memberPath(userId), body: request },
      MemberItemSchema,
      options,
    );
  }

  async remove(userId: string, options?: RequestOptions): Promise<{ success: true }> {
    return await this.transport.request(
      { method: 'DELETE', path: memberPath(userId) },
      RemoveMemberResponseSchema,
      options,
    );
  }
}

export { UpdateMemberRequestSchema };
