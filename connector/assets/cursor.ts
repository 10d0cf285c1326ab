// Keyset cursors for catalog pages. A cursor names a position in the catalog's order (the sort
// value and the id of a dataset), not a count of datasets to skip, so the next page is found by a
// binary search whatever the catalog's size, and a page never repeats or skips a dataset because
// others were added or removed before it. Opaque to callers: base64url of a small JSON document.

import { CatalogQueryError } from './errors.js';

export interface Cursor {
  /** `after`: the page starts after the position (next); `before`: it ends before it (previous). */
  readonly direction: 'after' | 'before';
  /** The order the position belongs to (Sort.key): a cursor is meaningless in another order. */
  readonly sort: string;
  /** The sort value of the dataset at the position (its id when sorting by id). */
  readonly value: string;
  readonly id: string;
}

const VERSION = 1;

export function encodeCursor(cursor: Cursor): string {
  const doc = {
    v: VERSION,
    d: cursor.direction === 'after' ? 'a' : 'b',
    s: cursor.sort,
    k: cursor.value,
    i: cursor.id,
  };
  return Buffer.from(JSON.stringify(doc), 'utf8').toString('base64url');
}

/** Throws CatalogQueryError (400) for anything this connector did not issue. */
export function decodeCursor(text: string): Cursor {
  let doc: unknown;
  try {
    doc = /^[A-Za-z0-9_-]{1,4096}$/.test(text)
      ? JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
      : undefined;
  } catch {
    doc = undefined;
  }
  const d = doc as { v?: unknown; d?: unknown; s?: unknown; k?: unknown; i?: unknown } | undefined;
  if (
    d === undefined ||
    d === null ||
    typeof d !== 'object' ||
    d.v !== VERSION ||
    (d.d !== 'a' && d.d !== 'b') ||
    typeof d.s !== 'string' ||
    typeof d.k !== 'string' ||
    typeof d.i !== 'string'
  ) {
    throw new CatalogQueryError('ERR_CATALOG_QUERY_INVALID', 'the cursor is not one this catalog issued', [
      { pointer: '/cursor', reason: 'not a cursor of this catalog; start again without one' },
    ]);
  }
  return { direction: d.d === 'a' ? 'after' : 'before', sort: d.s, value: d.k, id: d.i };
}
