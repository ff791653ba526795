/** Request and response shapes of `/members` (pure zod: the route, the OpenAPI document and the client share them). */
import { z } from 'zod';

export const ROLES = ['admin', 'member', 'viewer'] as const;
const RoleField = z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` });

export const MemberItemSchema = z.object({
  user: z.object({ uid: z.string(), display_name: z.string(), email: z.string().nullable() }),
  role: z.enum(ROLES),
  joined_at: z.string(),
});
export type MemberItem = z.infer<typeof MemberItemSchema>;

export const ListMembersResponseSchema = z.object({ members: z.array(MemberItemSchema) });
export type ListMembersResponse = z.infer<typeof ListMembersResponseSchema>;

/**
 * A member by `user_id` (an existing user), or by `email` (the user with that email, created when there is none,
 * named `display_name` or else the email).
 */
export const AddMemberRequestSchema = z
  .strictObject({
    user_id: z.string().trim().min(1, 'user_id must not be empty').max(255).optional(),
    email: z.email({ error: 'email must be an email address, e.g. ada@example.com' }).max(320).optional(),
    display_name: z.string().trim().min(1, 'display_name must not be empty').max(200).optional(),
    role: RoleField.default('member'),
  })
  .refine((r) => (r.user_id === undefined) !== (r.email === undefined), {
    message: 'give exactly one of user_id (an existing user) or email (creates the user when new)',
    path: ['email'],
  });
export type AddMemberRequest = z.input<typeof AddMemberRequestSchema>;

export const UpdateMemberRequestSchema = z.strictObject({
  role: z.enum(ROLES, { error: `role is required: one of ${ROLES.join(', ')}` }),
});
export type UpdateMemberRequest = z.infer<typeof UpdateMemberRequestSchema>;

export const RemoveMemberResponseSchema = z.object({ success: z.literal(true) });
