// The federated catalog's plain shapes: what the crawler reads from a member's DSP catalog, what the
// index keeps, and what the search API answers (plain JSON, as the console reads it).
import type { JsonObject } from '../../connector/dsp/messages/types.js';
import type { RequestClaims } from '../../policies/index.js';
import type { OfferSummary } from './summary/offer-summary.js';

export type { JsonObject };

/** One catalog offer of a crawled dataset. */
export interface CrawledOffer {
  /** The offer's `@id` at the provider. */
  readonly offerId: string;
  /** The DSP offer as the provider sent it, without its access policy. */
  readonly body: JsonObject;
  /** The access policy the provider published for the catalog; undefined when it published none. */
  readonly accessPolicy?: JsonObject;
}

/** A dataset read from a provider's DSP catalog, normalised for the index. */
export interface CrawledDataset {
  readonly datasetId: string;
  readonly title: string;
  readonly description: string;
  readonly keywords: readonly string[];
  readonly sector?: string;
  readonly dataGrade?: string;
  readonly publisher?: string;
  /** The media type of the first distribution (dcat:mediaType), e.g. text/csv. */
  readonly mediaType?: string;
  readonly licence?: string;
  readonly issued?: string;
  readonly modified?: string;
  readonly offers: readonly CrawledOffer[];
  /** The DSP Dataset without `hasPolicy` (offers are kept one by one). */
  readonly body: JsonObject;
  /** sha256 of the normalised dataset and its offers: unchanged datasets are not rewritten. */
  readonly hash: string;
}

/** Policy features of one offer, extracted from its contract policy (policy/features.ts). */
export interface OfferFeatures {
  /** Purposes the offer permits; ["(any)"] when it does not restrict the purpose. */
  readonly purposes: readonly string[];
  /** Places (ISO 3166) the offer permits use in; ["(any)"] when unrestricted. */
  readonly regions: readonly string[];
  /** Credential types a user must hold. */
  readonly credentials: readonly string[];
  /** "free", or "paid" with the amounts in `prices`. */
  readonly price: 'free' | 'paid';
  /** Amounts asked, e.g. "5000.00 CNY". */
  readonly prices: readonly string[];
}

/** The value a feature takes when the offer does not restrict it. */
export const UNRESTRICTED = '(any)';

/** Who asks the catalog. */
export type Asker =
  | { readonly kind: 'admin'; readonly name: string }
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'member';
      readonly did: string;
      /** Verified claims, as the providers' connectors would see them. */
      readonly claims: RequestClaims;
    };

export const SORTS = ['relevance', 'title', 'modified'] as const;
export type Sort = (typeof SORTS)[number];

export const PRICES = ['free', 'paid'] as const;
/** Whether the authority registered the dataset as (part of) a data product (数据产品登记). */
export const REGISTRATION_STATES = ['registered', 'unregistered'] as const;

/** A search, validated (search/query.ts). */
export interface SearchQuery {
  readonly q?: string;
  readonly sector?: readonly string[];
  readonly grade?: readonly string[];
  readonly publisher?: readonly string[];
  readonly format?: readonly string[];
  readonly licence?: readonly string[];
  readonly purpose?: string;
  readonly region?: string;
  readonly credential?: readonly string[];
  readonly price?: 'free' | 'paid';
  readonly registered?: (typeof REGISTRATION_STATES)[number];
  /** Restrict to one provider (dataset detail, DSP view). */
  readonly provider?: string;
  readonly datasetId?: string;
  /** Default relevance with a text query, else modified. "provider" orders by provider, then dataset id. */
  readonly sort: Sort | 'provider';
  readonly limit: number;
  readonly offset: number;
}

export interface ProviderInfo {
  readonly did: string;
  readonly organisationName?: string;
  readonly connectorUrl?: string;
  /** When the provider's catalog was last read successfully. */
  readonly lastCrawledAt?: string;
  /** True when the last crawl failed: these results are from an earlier crawl. */
  readonly stale: boolean;
}

export interface OfferView {
  readonly id: string;
  readonly summary: OfferSummary;
  readonly features: OfferFeatures;
  /** False when the provider published no access policy: nobody but admins sees the offer. */
  readonly accessPolicyPublished: boolean;
  /** The DSP offer (dataset detail only). */
  readonly offer?: JsonObject;
  /** The access policy (dataset detail, admins only). */
  readonly accessPolicy?: JsonObject;
}

export interface DatasetView {
  readonly provider: ProviderInfo;
  readonly datasetId: string;
  readonly title: string;
  readonly description: string;
  readonly keywords: readonly string[];
  readonly sector?: string;
  readonly dataGrade?: string;
  readonly publisher?: string;
  readonly mediaType?: string;
  readonly licence?: string;
  readonly issued?: string;
  readonly modified?: string;
  /** The offers the asker may see (all for admins). */
  readonly offers: readonly OfferView[];
  /** The data product the authority registered it in, if any (its own registry, not the provider's say-so). */
  readonly registration?: DatasetRegistration;
}

export interface DatasetRegistration {
  /** The unified product identifier. */
  readonly productId: string;
  /** The DataProductRegistration credential's id. */
  readonly credentialId: string;
  readonly name: { readonly zh: string; readonly en: string };
}

export interface FacetValue {
  readonly value: string;
  readonly count: number;
}

export const FACETS = [
  'sector',
  'grade',
  'publisher',
  'format',
  'licence',
  'purpose',
  'region',
  'credential',
  'price',
  'registered',
] as const;
export type FacetName = (typeof FACETS)[number];

export interface SearchResult {
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
  readonly results: readonly DatasetView[];
  /** Counts of datasets per value among all results (not only this page), most frequent first. */
  readonly facets: Readonly<Record<FacetName, readonly FacetValue[]>>;
}

/** Why the last crawl of a provider failed. */
export interface CrawlError {
  /** unreachable | timeout | http-<status> | invalid-catalog | too-large | not-allowed | identity | internal */
  readonly code: string;
  readonly message: string;
  readonly at: string;
}

/** What admins see about each member's connector. */
export interface ProviderCrawlStatus {
  readonly did: string;
  readonly organisationName?: string;
  readonly memberState?: string;
  readonly connectorUrl?: string;
  /** ok | failing | never-crawled | not-crawlable (no connector URL) */
  readonly state: 'ok' | 'failing' | 'never-crawled' | 'not-crawlable';
  readonly lastAttemptAt?: string;
  readonly lastSuccessAt?: string;
  /** When the catalog last changed (an unchanged crawl does not move it). */
  readonly lastChangedAt?: string;
  readonly lastError?: CrawlError;
  readonly consecutiveFailures: number;
  /** Scheduled crawls leave the provider alone until then (back-off after failures). */
  readonly nextAttemptAt?: string;
  readonly datasetCount: number;
  readonly offerCount: number;
  /** Offers without a published access policy: shown to nobody but admins (fail closed). */
  readonly offersWithoutAccessPolicy: number;
  readonly lastDurationMs?: number;
  readonly pages?: number;
  readonly crawls: number;
  /** Crawls that found the catalog unchanged (nothing re-indexed). */
  readonly unchangedCrawls: number;
  /** Human-readable notes (e.g. offers hidden for lack of an access policy). */
  readonly notes: readonly string[];
}

/** The outcome of one crawl over all members. */
export interface CrawlSummary {
  readonly id: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly providers: number;
  readonly changed: number;
  readonly unchanged: number;
  readonly failed: number;
  /** Left alone because of back-off (scheduled crawls only). */
  readonly skipped: number;
  /** Providers removed from the index (no longer active members). */
  readonly removed: number;
  readonly datasets: { readonly added: number; readonly updated: number; readonly removed: number };
}

/** What admins see of the catalog (GET /authority/v1/admin/catalog, `shuyu catalog status`). */
export interface CatalogOverview {
  readonly crawling: boolean;
  /** The last finished crawl of this process (scheduled, admin's or on a member's notice). */
  readonly lastCrawl?: CrawlSummary;
  /** When the schedule crawls next; absent while a scheduled crawl runs or when the schedule is off. */
  readonly nextScheduledCrawlAt?: string;
  /** 0 when automatic crawling is off. */
  readonly crawlIntervalMs: number;
  /** What the index holds: providers with datasets, datasets, offers. */
  readonly index: { readonly providers: number; readonly datasets: number; readonly offers: number };
  readonly providers: readonly (ProviderCrawlStatus & {
    /** A notice from the member asked for a crawl, due at this time. */
    readonly recrawlRequestedFor?: string;
  })[];
}
