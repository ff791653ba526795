/**
 * `POST /members`: adds a user to the caller's team, by user id or by email (creating the user when no user has
 * that email). The new member has no key yet: an admin creates one with `POST /api-keys {user_id}`.
 */
import type { z } from 'zod';
import type { Principal } from '../../db/api-keys';
import { AppError, notFound } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { lockTeamMemberships, MEMBER_INCLUDE, newUserId, toMemberItem } from './member-access';
import type { AddMemberRequestSchema, MemberItem } from './schemas';

export async function addMember(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: { principal: Principal; request: z.output<typeof AddMemberRequestSchema> },
): Promise<MemberItem> {
  const { db, logger } = deps;
  const { principal, request } = input;
  requirePermission(principal, 'admin', 'add members');
  const teamId = principal.teamId;
  const row = await db.$transaction(async (tx) => {
    await lockTeamMemberships(tx, teamId);
    let userId: string;
    let createdUser = false;
    if (request.user_id !== undefined) {
      const user = await tx.user.findUnique({ where: { id: request.user_id }, select: { id: true } });
      if (!user) {
        throw new AppError(
          'resource_not_found',
          `user_id: ${notFound('User', request.user_id).detail}; add a new person by email instead`,
        );
      }
      userId = user.id;
    } else {
      const email = request.email!.toLowerCase();
      const user = await tx.user.findUnique({ where: { email }, select: { id: true } });
      if (user) {
        userId = user.id;
      } else {
        userId = newUserId();
        createdUser = true;
        await tx.user.create({ data: { id: userId, email, displayName: request.display_name ?? email } });
      }
    }
    const existing = await tx.membership.findUnique({ where: { teamId_userId: { teamId, userId } } });
    if (existing) {
      throw new AppError(
        'conflict',
        `${userId} is already a member of this team (role ${existing.role}); change the role with ` +
          `PATCH /api/v1/members/${userId}`,
        { retryable: false, headers: { 'x-should-retry': 'false' } },
      );
    }
    const membership = await tx.membership.create({
      data: { teamId, userId, role: request.role },
      include: MEMBER_INCLUDE,
    });
    await recordAudit(tx, {
      teamId,
      principal,
      action: 'membership.added',
      targetType: 'membership',
      targetId: userId,
      data: { role: request.role, user_created: createdUser },
    });
    return membership;
  });
  logger.info({ teamId, userId: row.userId, role: row.role }, 'member added');
  return toMemberItem(row);
}
