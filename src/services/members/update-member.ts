import type { Principal } from '../../db/api-keys';
import { notFound } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { assertAnotherAdminRemains, lockTeamMemberships, MEMBER_INCLUDE, toMemberItem } from './member-access';
import type { MemberItem, UpdateMemberRequest } from './schemas';

/** `PATCH /members/{user_id}`: changes a member's role; the team's last admin cannot be demoted. */
export async function updateMember(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: { principal: Principal; userId: string; request: UpdateMemberRequest },
): Promise<MemberItem> {
  const { db, logger } = deps;
  const { principal, userId, request } = input;
  const teamId = principal.teamId;
  const row = await db.$transaction(async (tx) => {
    await lockTeamMemberships(tx, teamId);
    const current = await tx.membership.findUnique({
      where: { teamId_userId: { teamId, userId } },
      include: MEMBER_INCLUDE,
    });
    if (!current) throw notFound('Member', userId);
    // After the lookup: a user of another team is 404 for every role, like every other object.
    requirePermission(principal, 'admin', 'change members’ roles');
    if (current.role === request.role) return current;
    if (current.role === 'admin') await assertAnotherAdminRemains(tx, teamId, userId, 'demoted');
    const updated = await tx.membership.update({
      where: { teamId_userId: { teamId, userId } },
      data: { role: request.role },
      include: MEMBER_INCLUDE,
    });
    await recordAudit(tx, {
      teamId,
      principal,
      action: 'membership.role_changed',
      targetType: 'membership',
      targetId: userId,
      data: { from: current.role, to: request.role },
    });
    return updated;
  });
  logger.info({ teamId, userId, role: row.role }, 'member role changed');
  return toMemberItem(row);
}
