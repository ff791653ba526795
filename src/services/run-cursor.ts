/**
 * Keyset pagination over (sort value, id). The cursor is opaque base64url JSON naming the sort it belongs to, so a
 * page boundary is a position in the order rather than an offset: rows inserted between pages neither repeat nor
 * shift the next page.
 */
import { RUN_SORT_FIELDS, type RunSortField } from '../domain';
import type { Prisma } from '../generated/prisma/client';
import {
  decodeKeysetCursor,
  encodeKeysetCursor,
  malformedCursor,
  type KeysetCursor,
  type SortOrder,
} from './keyset-cursor';

export type { SortOrder } from './keyset-cursor';

type SortColumn = 'updatedAt' | 'createdAt' | 'title' | 'configName';
const COLUMN: Record<RunSortField, SortColumn> = {
  updated_at: 'updatedAt',
  created_at: 'createdAt',
  title: 'title',
  // "agent" is the config name; runs without one come last in either direction.
  agent: 'configName',
};

export interface SortableRun {
  id: string;
  updatedAt: Date;
  createdAt: Date;
  title: string;
  configName: string | null;
}

export function encodeCursor(sortBy: RunSortField, order: SortOrder, run: SortableRun): string {
  const value = run[COLUMN[sortBy]];
  return encodeKeysetCursor({
    s: sortBy,
    o: order,
    v: value instanceof Date ? value.toISOString() : value,
    id: run.id,
  });
}

export function decodeCursor(cursor: string, sortBy: RunSortField, order: SortOrder): KeysetCursor<RunSortField> {
  const payload = decodeKeysetCursor(cursor, RUN_SORT_FIELDS, sortBy, order);
  const malformedValue =
    sortBy === 'agent' ? false : payload.v === null || (sortBy !== 'title' && Number.isNaN(Date.parse(payload.v)));
  if (malformedValue) throw malformedCursor();
  return payload;
}

export function orderByFor(sortBy: RunSortField, order: SortOrder): Prisma.RunOrderByWithRelationInput[] {
  const column = COLUMN[sortBy];
  const first: Prisma.RunOrderByWithRelationInput =
    column === 'configName' ? { configName: { sort: order, nulls: 'last' } } : { [column]: order };
  return [first, { id: order }];
}

/** Rows strictly after the cursor's position in the given order. */
export function afterCursorWhere(
  sortBy: RunSortField,
  order: SortOrder,
  cursor: KeysetCursor<RunSortField>,
): Prisma.RunWhereInput {
  const cmp = order === 'desc' ? 'lt' : 'gt';
  const column = COLUMN[sortBy];
  const idAfter = { id: { [cmp]: cursor.id } };
  if (column === 'configName') {
    if (cursor.v === null) return { configName: null, ...idAfter };
    return {
      OR: [{ configName: { [cmp]: cursor.v } }, { configName: cursor.v, ...idAfter }, { configName: null }],
    };
  }
  const value = column === 'title' ? cursor.v : new Date(cursor.v ?? '');
  return { OR: [{ [column]: { [cmp]: value } }, { [column]: value, ...idAfter }] };
}
