import type { Principal } from '../../db/api-keys';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { MEMBER_INCLUDE, toMemberItem } from './member-access';
import type { ListMembersResponse } from './schemas';

export async function listMembers(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal },
): Promise<ListMembersResponse> {
  requirePermission(input.principal, 'admin', 'list members');
  const rows = await deps.db.membership.findMany({
    where: { teamId: input.principal.teamId },
    include: MEMBER_INCLUDE,
    orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }],
  });
  return { members: rows.map(toMemberItem) };
}
