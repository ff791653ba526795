/**
 * Opaque keyset cursors shared by every list: base64url JSON holding the sort it belongs to and the last row's sort
 * value and id. A page boundary is a position in the order, not an offset, so rows inserted between pages neither
 * repeat nor shift the next page.
 */
import { z } from 'zod';
import { AppError } from './app-error';

export type SortOrder = 'asc' | 'desc';

export interface KeysetCursor<S extends string> {
  s: S;
  o: SortOrder;
  v: string | null;
  id: string;
}

export function encodeKeysetCursor<S extends string>(payload: KeysetCursor<S>): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** Decodes a cursor and checks it belongs to the requested sort; errors are 400s that say how to recover. */
export function decodeKeysetCursor<S extends string>(
  cursor: string,
  sortFields: readonly [S, ...S[]],
  sortBy: S,
  order: SortOrder,
): KeysetCursor<S> {
  const schema = z.object({
    s: z.enum(sortFields),
    o: z.enum(['asc', 'desc']),
    v: z.string().nullable(),
    id: z.string().min(1),
  });
  let payload: KeysetCursor<S>;
  try {
    payload = schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
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
  return payload;
}

export function malformedCursor(): AppError {
  return new AppError('invalid_request', 'cursor: malformed; drop it to start from the first page');
}
