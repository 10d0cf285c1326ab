// The provider's DSP catalog: which datasets a caller may see, with the offers it may see on them.
// Requests are answered from an in-memory snapshot of the registry (snapshot.ts), refreshed when
// the store's version moves, and from the caller's view of it (caller-view.ts: visibility decided
// once per caller per snapshot, totals and orders kept), so a page costs about the page: never a
// database round trip, never a pass over the whole catalog once the caller's view exists.

import type { CompiledPolicy } from '../../policies/index.js';
import { CallerViews, type CallerView } from './caller-view.js';
import { encodeCursor } from './cursor.js';
import { SHUYU_NS } from '../../policies/jsonld/namespaces.js';
import {
  buildCatalog,
  dataService,
  DSP_CONTEXT,
  dspOfferId,
  parseDspOfferId,
  type DspCatalog,
  type DspDataService,
  type DspDataset,
  type DspOffer,
} from './dsp.js';
import type { PublisherProfile } from './dcat-ap.js';
import { parseQuery, type CatalogQuery } from './query.js';
import {
  buildSnapshot,
  SnapshotGapError,
  type AssetEntry,
  type OfferEntry,
  type RenderSettings,
  type Snapshot,
} from './snapshot.js';
import { EVERYTHING, type AssetStore } from './store.js';
import type { Asset, Offer } from './types.js';
import type { Caller } from './visibility.js';

/** The catalog offer property carrying the offer's access policy (only for the federated catalog). */
export const ACCESS_POLICY_KEY = `${SHUYU_NS}accessPolicy`;

export interface CatalogOptions {
  /** The provider's participant id (its DID): the catalog's participantId and every offer's assigner. */
  readonly participantId: string;
  /** The connector's DSP endpoint (the DataService's endpointURL). */
  readonly endpointURL: string;
  /** Default `<participantId>#dsp`. */
  readonly serviceId?: string;
  /** Default `<participantId>#catalog`. */
  readonly catalogId?: string;
  /** Transfer types offered for every dataset (one Distribution each). Default HttpData-PULL. */
  readonly transferFormats?: readonly string[];
  /** Epoch milliseconds for policy evaluation (tests fix it). Default Date.now. */
  readonly now?: () => number;
  /** Callers whose views are kept between requests (least recently used goes first). Default 64. */
  readonly callerViews?: number;
  /**
   * The member's registration (organisation name, credit code, contact, sector, regions): the catalog's
   * DCAT-AP title and publisher, and the defaults of every dataset's (dcat-ap.ts). A function is asked
   * again at most every `publisherRefreshMs` (the credentials it reads arrive after onboarding).
   */
  readonly publisher?: PublisherProfile | (() => Promise<PublisherProfile | undefined>);
  /** Default 60 s. */
  readonly publisherRefreshMs?: number;
}

export interface CatalogPage {
  /** The requested page of visible datasets, by dataset id (Dataset objects without @context). */
  readonly datasets: DspDataset[];
  /** Visible datasets matching the filter, over all pages. */
  readonly total: number;
  /** The page size applied (the query's, a QuerySpec's, or the default). */
  readonly limit: number;
  /** The cursor of the next page (CatalogQuery.cursor), when there is one. */
  readonly next?: string;
  /** The cursor of the previous page, when there is one. */
  readonly previous?: string;
}

/** One offer on one dataset, as the negotiation layer needs it. */
export interface ResolvedOffer {
  /** The catalog offer id (urn:shuyu:offer:<offer>:<dataset>). */
  readonly id: string;
  readonly offer: Offer;
  readonly asset: Asset;
  readonly contractPolicy: CompiledPolicy;
  /** The offer exactly as the catalog shows it. */
  readonly dspOffer: DspOffer;
  /** Comparison keys of the contract policy's terms (policy-key.ts). */
  readonly contractTerms: ReadonlyMap<string, string>;
}

export class Catalog {
  readonly participantId: string;
  readonly catalogId: string;
  private render: RenderSettings;
  private readonly now: () => number;
  private readonly settings: Pick<CatalogOptions, 'serviceId' | 'endpointURL'> & {
    readonly transferFormats: readonly string[];
  };
  private readonly publisherSource: (() => Promise<PublisherProfile | undefined>) | undefined;
  private readonly publisherRefreshMs: number;
  private publisherCheckedAt = Number.NEGATIVE_INFINITY;
  private current: Snapshot | undefined;
  /** The settings `current` was rendered with: a snapshot of other settings is not carried over. */
  private currentRender: RenderSettings | undefined;
  private loading: Promise<Snapshot> | undefined;
  private readonly views: CallerViews;

  /** `store` must be the instance every write goes through: its version drives the refresh. */
  constructor(
    private readonly store: AssetStore,
    options: CatalogOptions,
  ) {
    this.participantId = options.participantId;
    this.catalogId = options.catalogId ?? `${options.participantId}#catalog`;
    this.settings = {
      ...(options.serviceId === undefined ? {} : { serviceId: options.serviceId }),
      endpointURL: options.endpointURL,
      transferFormats: options.transferFormats ?? ['HttpData-PULL'],
    };
    this.publisherSource = typeof options.publisher === 'function' ? options.publisher : undefined;
    this.publisherRefreshMs = options.publisherRefreshMs ?? 60_000;
    this.render = this.renderSettings(
      typeof options.publisher === 'function' ? undefined : options.publisher,
    );
    this.now = options.now ?? Date.now;
    this.views = new CallerViews(options.callerViews ?? 64, this.participantId);
  }

  /** The connector's DSP endpoint as the catalog shows it. */
  get service(): DspDataService {
    return this.render.service;
  }

  private renderSettings(publisher: PublisherProfile | undefined): RenderSettings {
    const service = dataService(
      this.settings.serviceId ?? `${this.participantId}#dsp`,
      this.settings.endpointURL,
      `${publisher?.name ?? this.participantId}: Dataspace Protocol endpoint`,
      this.settings.transferFormats,
    );
    return {
      service,
      transferFormats: this.settings.transferFormats,
      participantId: this.participantId,
      ...(publisher === undefined ? {} : { publisher }),
    };
  }

  /** Asks the publisher source again when its time is up; a changed profile re-renders every dataset. */
  private async refreshPublisher(): Promise<void> {
    if (this.publisherSource === undefined) return;
    const now = Date.now();
    if (now < this.publisherCheckedAt + this.publisherRefreshMs) return;
    this.publisherCheckedAt = now;
    const profile = await this.publisherSource();
    if (JSON.stringify(profile) !== JSON.stringify(this.render.publisher))
      this.render = this.renderSettings(profile);
  }

  /**
   * The datasets `caller` may see, in dataset-id order (or a QuerySpec's), one page of them. Throws
   * CatalogQueryError for bad paging or a filter Shuyu does not support.
   */
  async catalogFor(caller: Caller, query: CatalogQuery = {}): Promise<CatalogPage> {
    const q = parseQuery(query);
    const view = await this.view(caller);
    const page = view.page(q);
    return {
      datasets: page.entries.map((entry) => this.dataset(entry, view.visibleOffers(entry), caller)),
      total: page.total,
      limit: q.limit,
      ...(page.next !== undefined ? { next: encodeCursor(page.next) } : {}),
      ...(page.previous !== undefined ? { previous: encodeCursor(page.previous) } : {}),
    };
  }

  /** The full Catalog document for a page (what the DSP layer sends back). */
  catalogDocument(page: Pick<CatalogPage, 'datasets'>): DspCatalog {
    return buildCatalog({
      catalogId: this.catalogId,
      participantId: this.participantId,
      service: this.render.service,
      datasets: page.datasets,
      ...(this.render.publisher === undefined ? {} : { publisher: this.render.publisher }),
    });
  }

  /**
   * One dataset as a root DSP Dataset (with @context), or undefined when it does not exist or the
   * caller may see none of its offers: the two are indistinguishable on purpose (DSP: 404).
   */
  async datasetFor(caller: Caller, datasetId: string): Promise<DspDataset | undefined> {
    const view = await this.view(caller);
    const entry = view.snapshot.assetsById.get(datasetId);
    if (entry === undefined) return undefined;
    const offers = view.visibleOffers(entry);
    return offers.length === 0
      ? undefined
      : { '@context': [DSP_CONTEXT], ...this.dataset(entry, offers, caller) };
  }

  /** A catalog offer by its id, whoever asks (no access check): for the provider's own use. */
  async offerById(id: string): Promise<ResolvedOffer | undefined> {
    const found = this.lookup(await this.snapshot(), id);
    return found && this.resolved(found.offer, found.asset);
  }

  /** A catalog offer by its id, only if `caller` may see it (else undefined, as if it did not exist). */
  async visibleOfferById(caller: Caller, id: string): Promise<ResolvedOffer | undefined> {
    const view = await this.view(caller);
    const found = this.lookup(view.snapshot, id);
    if (found === undefined) return undefined;
    return view.sees(found.offer, found.asset) ? this.resolved(found.offer, found.asset) : undefined;
  }

  /** The caller's view of the current snapshot, valid now. */
  private async view(caller: Caller): Promise<CallerView> {
    const snapshot = await this.snapshot();
    return this.views.get(snapshot, caller, this.now());
  }

  /** The current snapshot, refreshed first if the store changed since it was built. */
  async snapshot(): Promise<Snapshot> {
    await this.refreshPublisher();
    await this.store.sync();
    for (;;) {
      const wanted = this.store.version;
      if (this.current !== undefined && this.current.version >= wanted && this.currentRender === this.render)
        return this.current;
      // One load at a time; a load that began before the latest write is followed by another.
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
      await this.loading;
    }
  }

  private async load(): Promise<Snapshot> {
    // Read the version before the data: a snapshot's label is never newer than its contents.
    const version = this.store.version;
    const render = this.render;
    const previous = this.currentRender === render ? this.current : undefined;
    const changes = await this.store.changesSince(previous?.seq ?? EVERYTHING);
    let snapshot: Snapshot;
    try {
      snapshot = buildSnapshot(changes, version, previous, render);
    } catch (e) {
      // The database is not the one the snapshot was built from (restored, edited by hand): start over.
      if (!(e instanceof SnapshotGapError)) throw e;
      snapshot = buildSnapshot(await this.store.changesSince(EVERYTHING), version, undefined, render);
    }
    if (render !== this.render) return snapshot; // the publisher changed meanwhile: the next load renders anew
    if (
      this.current === undefined ||
      this.currentRender !== render ||
      snapshot.version >= this.current.version
    ) {
      this.current = snapshot;
      this.currentRender = render;
    }
    return snapshot;
  }

  private lookup(snapshot: Snapshot, id: string): { offer: OfferEntry; asset: AssetEntry } | undefined {
    const parts = parseDspOfferId(id);
    if (parts === undefined) return undefined;
    const offer = snapshot.offersById.get(parts.offerId);
    const asset = snapshot.assetsById.get(parts.datasetId);
    // The dataset must be one the offer selects now, not merely one that exists.
    if (offer === undefined || asset === undefined || !asset.offers.includes(offer)) return undefined;
    return { offer, asset };
  }

  private resolved(offer: OfferEntry, asset: AssetEntry): ResolvedOffer {
    const dspOffer = this.catalogOffer(offer, asset);
    return {
      id: dspOffer['@id'],
      offer: offer.offer,
      asset: asset.asset,
      contractPolicy: offer.contract.compiled,
      dspOffer,
      contractTerms: offer.contract.terms,
    };
  }

  private dataset(entry: AssetEntry, offers: readonly OfferEntry[], caller?: Caller): DspDataset {
    // The federated catalog (member role "catalog") also gets each offer's access policy, so it can
    // show every asker only what the asker could see here.
    const forCatalog = caller?.claims?.memberRole === 'catalog';
    return {
      ...entry.header,
      hasPolicy: offers.map((o) =>
        forCatalog
          ? { ...this.catalogOffer(o, entry), [ACCESS_POLICY_KEY]: { '@type': 'Set', ...o.access.body } }
          : this.catalogOffer(o, entry),
      ),
    };
  }

  private catalogOffer(offer: OfferEntry, asset: AssetEntry): DspOffer {
    return {
      '@id': dspOfferId(offer.offer.id, asset.asset.id),
      '@type': 'Offer',
      assigner: this.participantId,
      ...offer.contract.body,
    };
  }
}
