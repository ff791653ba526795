/**
 * Keyset cursors for `GET /environments`, as for runs: the last row's sort value and id, so rows created or renamed
 * between pages neither repeat nor shift the next one.
 */
import { z } from 'zod';
import { ENVIRONMENT_SORT_FIELDS, type EnvironmentSortField } from '../../domain';
import type { Prisma } from '../../generated/prisma/client';
import { AppError } from '../app-error';

export type SortOrder = 'asc' | 'desc';

const CursorSchema = z.object({
  s: z.enum(ENVIRONMENT_SORT_FIELDS),
  o: z.enum(['asc', 'desc']),
  v: z.string(),
  id: z.string().min(1),
});
type CursorPayload = z.infer<typeof CursorSchema>;

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
  const payload: CursorPayload = {
    s: sortBy,
    o: order,
    v: sortBy === 'name' ? row.name : row.updatedAt.toISOString(),
    id: row.id,
  };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, sortBy: EnvironmentSortField, order: SortOrder): CursorPayload {
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
  if (sortBy === 'updated_at' && Number.isNaN(Date.parse(payload.v))) {
    throw new AppError('invalid_request', 'cursor: malformed; drop it to start from the first page');
  }
  return payload;
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
  cursor: CursorPayload,
): Prisma.EnvironmentWhereInput {
  const cmp = order === 'desc' ? 'lt' : 'gt';
  const column = COLUMN[sortBy];
  const value = sortBy === 'name' ? cursor.v : new Date(cursor.v);
  return { OR: [{ [column]: { [cmp]: value } }, { [column]: value, id: { [cmp]: cursor.id } }] };
}
