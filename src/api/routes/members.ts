/** Team membership routes (admins only): list, add (creating the user by email), change role, remove. */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { ServiceDeps } from '../../services/deps';
import {
  AddMemberRequestSchema,
  addMember,
  ListMembersResponseSchema,
  listMembers,
  MemberItemSchema,
  RemoveMemberResponseSchema,
  removeMember,
  UpdateMemberRequestSchema,
  updateMember,
} from '../../services/members';
import { API_PREFIX } from '../constants';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow } from '../validation';

export function membersRouter(deps: ServiceDeps): Router {
  const router = Router();
  router.get('/members', async (_req, res) => {
    res.json(await listMembers(deps, { principal: principalOf(res) }));
  });
  router.post('/members', async (req, res) => {
    const request = parseOrThrow(AddMemberRequestSchema, req.body, 'body');
    const item = await addMember(deps, { principal: principalOf(res), request });
    res
      .status(201)
      .location(`${API_PREFIX}/members/${encodeURIComponent(item.user.uid)}`)
      .json(item);
  });
  router.patch('/members/:userId', async (req, res) => {
    const request = parseOrThrow(UpdateMemberRequestSchema, req.body, 'body');
    res.json(await updateMember(deps, { principal: principalOf(res), userId: req.params.userId, request }));
  });
  router.delete('/members/:userId', async (req, res) => {
    res.json(await removeMember(deps, { principal: principalOf(res), userId: req.params.userId }));
  });
  return router;
}

export function registerMemberPaths(
  registry: OpenAPIRegistry,
  helpers: {
    path: (p: string) => string;
    security: { [name: string]: string[] }[];
    json: (description: string, schema: z.ZodType) => ResponseConfig;
    problem: (description: string) => ResponseConfig;
  },
): void {
  const { path, security, json, problem } = helpers;
  const MemberItem = MemberItemSchema.meta({ id: 'MemberItem' });
  const errors = {
    401: problem('Missing or invalid API key (authentication_required)'),
    403: problem('Only admins manage members (not_authorized)'),
  };
  const userId = z.object({ userId: z.string().min(1).meta({ description: 'The member’s user id' }) });
  const lastAdmin = problem('The team’s last admin cannot be demoted or removed (conflict, retryable: false)');
  registry.registerPath({
    method: 'get',
    path: path('/members'),
    operationId: 'listMembers',
    summary: 'List the team’s members and their roles',
    tags: ['members'],
    security,
    responses: {
      200: json('The members', ListMembersResponseSchema.extend({ members: z.array(MemberItem) })),
      ...errors,
    },
  });
  registry.registerPath({
    method: 'post',
    path: path('/members'),
    operationId: 'addMember',
    summary: 'Add a member by user_id, or by email (the user is created when no user has that email)',
    tags: ['members'],
    security,
    request: { body: { required: true, content: { 'application/json': { schema: AddMemberRequestSchema } } } },
    responses: {
      201: json('The new member', MemberItem),
      400: problem('Invalid field (invalid_request)'),
      ...errors,
      404: problem('user_id names no user (resource_not_found)'),
      409: problem('Already a member (conflict, retryable: false)'),
    },
  });
  registry.registerPath({
    method: 'patch',
    path: path('/members/{userId}'),
    operationId: 'updateMember',
    summary: 'Change a member’s role',
    tags: ['members'],
    security,
    request: {
      params: userId,
      body: { required: true, content: { 'application/json': { schema: UpdateMemberRequestSchema } } },
    },
    responses: {
      200: json('The member as changed', MemberItem),
      400: problem('Invalid role (invalid_request)'),
      ...errors,
      404: problem('No such member of this team (resource_not_found)'),
      409: lastAdmin,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: path('/members/{userId}'),
    operationId: 'removeMember',
    summary: 'Remove a member from the team; their keys for it stop working at once',
    tags: ['members'],
    security,
    request: { params: userId },
    responses: {
      200: json('Removed', RemoveMemberResponseSchema),
      ...errors,
      404: problem('No such member of this team (resource_not_found)'),
      409: lastAdmin,
    },
  });
}
