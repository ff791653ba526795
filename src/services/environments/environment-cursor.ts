/**
 * Keyset cursors for `GET /environments`, as for runs: the last row's sort value and id, so rows created or renamed
 * between pages neither repeat nor shift the next one.
 */
import { ENVIRONMENT_SORT_FIELDS, type EnvironmentSortField } from '../../domain';
import type { Prisma } from '../../generated/prisma/client';
import {
  decodeKeysetCursor,
  encodeKeysetCursor,
  malformedCursor,
  type KeysetCursor,
  type SortOrder,
} from '../keyset-cursor';

export type { SortOrder } from '../keyset-cursor';

const COLUMN = { updated_at: 'updatedAt', name: 'name' } as const satisfies Record<EnvironmentSortField, string>;

/** Newest first by update time; alphabetical by name. */
export function defaultOrderOf(sortBy: EnvironmentSortField): SortOrder {
  return sortBy === 'name' ? 'asc' : 'desc';
}

export function encodeCursor(
  sortBy: EnvironmentSortField,
  order: SortOrder,
  row: { id: string; name: string; updatedAt: Date },
): string {
  return encodeKeysetCursor({
    s: sortBy,
    o: order,
    v: sortBy === 'name' ? row.name : row.updatedAt.toISOString(),
    id: row.id,
  });
}

export function decodeCursor(
  cursor: string,
  sortBy: EnvironmentSortField,
  order: SortOrder,
): KeysetCursor<EnvironmentSortField> & { v: string } {
  const payload = decodeKeysetCursor(cursor, ENVIRONMENT_SORT_FIELDS, sortBy, order);
  if (payload.v === null || (sortBy === 'updated_at' && Number.isNaN(Date.parse(payload.v)))) throw malformedCursor();
  return { ...payload, v: payload.v };
}

export function orderByFor(
  sortBy: EnvironmentSortField,
  order: SortOrder,
): Prisma.EnvironmentOrderByWithRelationInput[] {
  return [{ [COLUMN[sortBy]]: order }, { id: order }];
}

/** Rows strictly after the cursor's position in the given order. */
export function afterCursorWhere(
  sortBy: EnvironmentSortField,
  order: SortOrder,
  cursor: KeysetCursor<EnvironmentSortField> & { v: string },
): Prisma.EnvironmentWhereInput {
  const cmp = order === 'desc' ? 'lt' : 'gt';
  const column = COLUMN[sortBy];
  const value = sortBy === 'name' ? cursor.v : new Date(cursor.v);
  return { OR: [{ [column]: { [cmp]: value } }, { [column]: value, id: { [cmp]: cursor.id } }] };
}
