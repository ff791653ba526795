import type { Principal } from '../../db/api-keys';
import { notFound } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { assertAnotherAdminRemains, lockTeamMemberships } from './member-access';

/**
 * `DELETE /members/{user_id}`: the user leaves the team. Their keys for this team stop working at once (a key acts
 * only through a membership); the user, their runs and their other teams stay. The last admin cannot be removed.
 */
export async function removeMember(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: { principal: Principal; userId: string },
): Promise<{ success: true }> {
  const { db, logger } = deps;
  const { principal, userId } = input;
  const teamId = principal.teamId;
  await db.$transaction(async (tx) => {
    await lockTeamMemberships(tx, teamId);
    const current = await tx.membership.findUnique({ where: { teamId_userId: { teamId, userId } } });
    if (!current) throw notFound('Member', userId);
    // After the lookup: a user of another team is 404 for every role, like every other object.
    requirePermission(principal, 'admin', 'remove members');
    if (current.role === 'admin') await assertAnotherAdminRemains(tx, teamId, userId, 'removed');
    await tx.membership.delete({ where: { teamId_userId: { teamId, userId } } });
    await recordAudit(tx, {
      teamId,
      principal,
      action: 'membership.removed',
      targetType: 'membership',
      targetId: userId,
      data: { role: current.role },
    });
  });
  logger.info({ teamId, userId }, 'member removed');
  return { success: true };
}
