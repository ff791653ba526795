import { randomBytes } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client';
import { AppError } from '../app-error';
import type { MemberItem } from './schemas';

export const MEMBER_INCLUDE = {
  user: { select: { id: true, displayName: true, email: true } },
} as const satisfies Prisma.MembershipInclude;

export type MembershipWithUser = Prisma.MembershipGetPayload<{ include: typeof MEMBER_INCLUDE }>;

export function toMemberItem(m: MembershipWithUser): MemberItem {
  const role = m.role === 'admin' || m.role === 'viewer' ? m.role : 'member';
  return {
    user: { uid: m.user.id, display_name: m.user.displayName, email: m.user.email },
    role,
    joined_at: m.createdAt.toISOString(),
  };
}

export function newUserId(): string {
  return `user_${randomBytes(12).toString('hex')}`;
}

/**
 * Serializes membership changes of one team, so two admins demoting each other at once cannot leave it without one.
 * The lock ends with the transaction.
 */
export async function lockTeamMemberships(tx: Prisma.TransactionClient, teamId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`memberships:${teamId}`}))`;
}

/** Throws 409 when the change would leave the team without an admin. */
export async function assertAnotherAdminRemains(
  tx: Prisma.TransactionClient,
  teamId: string,
  userId: string,
  what: string,
): Promise<void> {
  const others = await tx.membership.count({ where: { teamId, role: 'admin', userId: { not: userId } } });
  if (others === 0) {
    throw new AppError(
      'conflict',
      `${userId} is the team's last admin and cannot be ${what}; make another member admin first ` +
        '(PATCH /api/v1/members/{user_id} with role admin)',
      { retryable: false, headers: { 'x-should-retry': 'false' } },
    );
  }
}
