/**
 * Keyset pagination over (sort value, id). The cursor is opaque base64url JSON naming the sort it belongs to, so a
 * page boundary is a position in the order rather than an offset: rows inserted between pages neither repeat nor
 * shift the next page.
 */
import { z } from 'zod';
import { RUN_SORT_FIELDS, type RunSortField } from '../domain';
import type { Prisma } from '../generated/prisma/client';
import { AppError } from './app-error';

export type SortOrder = 'asc' | 'desc';

const CursorSchema = z.object({
  s: z.enum(RUN_SORT_FIELDS),
  o: z.enum(['asc', 'desc']),
  v: z.string().nullable(),
  id: z.string().min(1),
});
type CursorPayload = z.infer<typeof CursorSchema>;

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
  const payload: CursorPayload = {
    s: sortBy,
    o: order,
    v: value instanceof Date ? value.toISOString() : value,
    id: run.id,
  };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, sortBy: RunSortField, order: SortOrder): CursorPayload {
  let payload: CursorPayload;
  try {
    payload = CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError(
      'invalid_request',
      'cursor: not a cursor returned by this API; drop it to start from the first page',
    );
  }
  if (payload.s !== sortBy || payload.o !== order) {
    throw new AppError(
      'invalid_request',
      `cursor: it belongs to sort_by=${payload.s}&sort_order=${payload.o}, not sort_by=${sortBy}&sort_order=${order}; ` +
        'send the same sort as the first page or drop the cursor',
    );
  }
  const malformedValue =
    sortBy === 'agent' ? false : payload.v === null || (sortBy !== 'title' && Number.isNaN(Date.parse(payload.v)));
  if (malformedValue) {
    throw new AppError('invalid_request', 'cursor: malformed; drop it to start from the first page');
  }
  return payload;
}

export function orderByFor(sortBy: RunSortField, order: SortOrder): Prisma.RunOrderByWithRelationInput[] {
  const column = COLUMN[sortBy];
  const first: Prisma.RunOrderByWithRelationInput =
    column === 'configName' ? { configName: { sort: order, nulls: 'last' } } : { [column]: order };
  return [first, { id: order }];
}

/** Rows strictly after the cursor's position in the given order. */
export function afterCursorWhere(sortBy: RunSortField, order: SortOrder, cursor: CursorPayload): Prisma.RunWhereInput {
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
