import type { Db } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { decodeKeysetCursor, encodeKeysetCursor, malformedCursor, type SortOrder } from '../keyset-cursor';
import type { AuditEventItem, AuditPageQuery, ListAuditResponse } from './schemas';

const SORT_FIELDS = ['id'] as const;

type AuditRow = Prisma.AuditEventGetPayload<object>;

export function toAuditEventItem(row: AuditRow): AuditEventItem {
  const data: Record<string, unknown> =
    typeof row.data === 'object' && row.data !== null && !Array.isArray(row.data) ? row.data : {};
  return {
    id: row.id.toString(),
    created_at: row.createdAt.toISOString(),
    actor: { type: row.actorType, user_id: row.actorUserId, key_id: row.actorKeyId },
    action: row.action,
    target: { type: row.targetType, id: row.targetId },
    run_id: row.runId,
    data: data,
  };
}

/**
 * One page of audit events matching `where`, ordered by id (insertion order), with a keyset cursor: events appended
 * while a client pages never shift or repeat a page.
 */
export async function auditPage(
  db: Db,
  where: Prisma.AuditEventWhereInput,
  page: AuditPageQuery,
  order: SortOrder,
): Promise<ListAuditResponse> {
  let after: Prisma.AuditEventWhereInput = {};
  if (page.cursor !== undefined) {
    const cursor = decodeKeysetCursor(page.cursor, SORT_FIELDS, 'id', order);
    if (!/^\d{1,19}$/.test(cursor.id)) throw malformedCursor();
    after = { id: order === 'desc' ? { lt: BigInt(cursor.id) } : { gt: BigInt(cursor.id) } };
  }
  const rows = await db.auditEvent.findMany({
    where: { AND: [where, after] },
    orderBy: { id: order },
    take: page.limit + 1,
  });
  const more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit);
  const last = shown[shown.length - 1];
  return {
    events: shown.map(toAuditEventItem),
    page_info: {
      has_next_page: more,
      next_cursor: more && last ? encodeKeysetCursor({ s: 'id', o: order, v: null, id: last.id.toString() }) : null,
    },
  };
}
