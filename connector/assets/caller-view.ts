// What one caller sees of one snapshot, kept between requests so that a page costs the page, not
// the catalog. A view decides each distinct access policy once per grade (Visibility), lists the
// datasets the caller may see once, and keeps each filter-and-order selection of them it was asked
// for (their length is the page's total). Pages are then a binary search (cursor) or an index
// (offset) and a slice.
//
// A view is valid for one snapshot (a write makes a new one, and all views go), one caller (its
// DID and the digest of its verified claims: other credentials, another view) and the time interval
// in which no access policy's dateTime constraint changes its outcome (time-bounds.ts). The views
// are bounded (least recently used goes first).

import type { Cursor } from './cursor.js';
import { compareText, ID_FIELD } from './dataset-fields.js';
import type { ParsedQuery, Sort } from './query.js';
import type { AssetEntry, OfferEntry, Snapshot } from './snapshot.js';
import { stableInterval } from './time-bounds.js';
import { Visibility, type Caller } from './visibility.js';

/** Selections kept per view (distinct filters and orders asked by one caller). */
const SELECTIONS_PER_VIEW = 8;

export interface PageSlice {
  readonly entries: readonly AssetEntry[];
  /** Visible datasets matching the filter, over all pages. */
  readonly total: number;
  /** Where the next page starts, when there is one. */
  readonly next?: Cursor;
  /** Where the previous page ends, when there is one. */
  readonly previous?: Cursor;
}

export class CallerView {
  private readonly visibility: Visibility;
  private readonly from: number;
  private readonly until: number;
  private visible: readonly AssetEntry[] | undefined;
  private readonly selections = new Map<string, readonly AssetEntry[]>();

  constructor(
    readonly snapshot: Snapshot,
    caller: Caller,
    /** The instant every decision of this view is made at. */
    now: number,
    providerId: string,
  ) {
    this.visibility = new Visibility(snapshot, caller, now, providerId);
    ({ from: this.from, until: this.until } = stableInterval(snapshot.timeBoundaries, now));
  }

  /** Whether decisions made for this view hold at `now`. */
  holdsAt(now: number): boolean {
    return now >= this.from && now < this.until;
  }

  sees(offer: OfferEntry, asset: AssetEntry): boolean {
    return this.visibility.sees(offer, asset);
  }

  visibleOffers(asset: AssetEntry): OfferEntry[] {
    return this.visibility.visibleOffers(asset);
  }

  /** One page of the datasets the query selects. */
  page(query: ParsedQuery): PageSlice {
    const list = this.selection(query);
    const { start, limit, sort } = query;
    let from: number;
    let to: number;
    if ('offset' in start) {
      from = Math.min(start.offset, list.length);
      to = Math.min(from + limit, list.length);
    } else if (start.cursor.direction === 'after') {
      from = firstAfter(list, sort, start.cursor, true);
      to = Math.min(from + limit, list.length);
    } else {
      to = firstAfter(list, sort, start.cursor, false);
      from = Math.max(0, to - limit);
    }
    const entries = list.slice(from, to);
    const first = entries[0];
    const last = entries[entries.length - 1];
    return {
      entries,
      total: list.length,
      ...(last !== undefined && to < list.length ? { next: cursorAt(last, sort, 'after') } : {}),
      ...(first !== undefined && from > 0 ? { previous: cursorAt(first, sort, 'before') } : {}),
    };
  }

  /** The visible datasets matching the query's filter, in its order (computed once per view). */
  private selection(query: ParsedQuery): readonly AssetEntry[] {
    let list = this.selections.get(query.selectionKey);
    if (list !== undefined) return list;
    const visible = (this.visible ??= this.snapshot.assets.filter((e) =>
      e.offers.some((o) => this.visibility.sees(o, e)),
    ));
    list = query.matches === undefined ? visible : visible.filter(query.matches);
    const { field, descending } = query.sort;
    // `visible` is in id order and sort is stable: equal values stay in id order.
    if (field !== ID_FIELD)
      list = [...list].sort((a, b) => compareText(sortValue(a, field), sortValue(b, field)));
    if (descending) list = [...list].reverse();
    if (this.selections.size >= SELECTIONS_PER_VIEW) {
      const oldest = this.selections.keys().next().value;
      if (oldest !== undefined) this.selections.delete(oldest);
    }
    this.selections.set(query.selectionKey, list);
    return list;
  }
}

/**
 * The views of the current snapshot by caller, at most `capacity`; a new snapshot drops them all.
 */
export class CallerViews {
  private snapshot: Snapshot | undefined;
  private readonly views = new Map<string, CallerView>();

  constructor(
    private readonly capacity: number,
    private readonly providerId: string,
  ) {}

  get(snapshot: Snapshot, caller: Caller, now: number): CallerView {
    // A request that began before a refresh finishes on its older snapshot without evicting the new views.
    if (this.snapshot !== undefined && snapshot.version < this.snapshot.version)
      return new CallerView(snapshot, caller, now, this.providerId);
    if (snapshot !== this.snapshot) {
      this.views.clear();
      this.snapshot = snapshot;
    }
    const key = callerKey(caller);
    let view = this.views.get(key);
    if (view !== undefined) this.views.delete(key); // re-inserted below: most recently used last
    if (view === undefined || !view.holdsAt(now))
      view = new CallerView(snapshot, caller, now, this.providerId);
    this.views.set(key, view);
    if (this.views.size > this.capacity) {
      const oldest = this.views.keys().next().value;
      if (oldest !== undefined) this.views.delete(oldest);
    }
    return view;
  }
}

/** Everything visibility reads of the caller: its DID and its verified claims. */
function callerKey(caller: Caller): string {
  return `${caller.participantId}\n${JSON.stringify(caller.claims ?? null)}`;
}

function sortValue(entry: AssetEntry, field: Sort['field']): string {
  return field.values(entry)[0] ?? '';
}

/** Position order of the list: (sort value, id), reversed for a descending sort. */
function compareTo(entry: AssetEntry, sort: Sort, cursor: Cursor): number {
  const c =
    compareText(sort.field === ID_FIELD ? entry.asset.id : sortValue(entry, sort.field), cursor.value) ||
    compareText(entry.asset.id, cursor.id);
  return sort.descending ? -c : c;
}

/** Index of the first entry after the cursor's position (`strict`), or at or after it. */
function firstAfter(list: readonly AssetEntry[], sort: Sort, cursor: Cursor, strict: boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareTo(list[mid] as AssetEntry, sort, cursor);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function cursorAt(entry: AssetEntry, sort: Sort, direction: Cursor['direction']): Cursor {
  const value = sort.field === ID_FIELD ? entry.asset.id : sortValue(entry, sort.field);
  return { direction, sort: sort.key, value, id: entry.asset.id };
}
