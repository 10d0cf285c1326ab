// The participant's registry: assets (what data exists and where it really is) and offers
// ("contract definitions": which assets, who may see them, on what terms). Plain JSON shapes, as
// the management API reads and writes them; the DSP catalog renders them (see dsp.ts).

/** Sectors of the Shuyu data spaces (the top level of policies/vocabulary/sectors.ts). */
export const SECTORS = ['education', 'energy', 'finance', 'medical'] as const;
export type Sector = (typeof SECTORS)[number];

/**
 * Where the bytes are. Stored as given and never interpreted here: the data plane reads it. It
 * never leaves the connector (the catalog does not show it).
 */
export type DataAddress = FileDataAddress | HttpDataAddress | InlineDataAddress;

export interface FileDataAddress {
  readonly kind: 'file';
  /** Absolute path on the connector's host. */
  readonly path: string;
  readonly [extra: string]: unknown;
}

export interface HttpDataAddress {
  readonly kind: 'http';
  /** http(s) URL the data plane fetches from. */
  readonly url: string;
  readonly [extra: string]: unknown;
}

export interface InlineDataAddress {
  readonly kind: 'inline';
  /** The data itself (small data sets, samples). */
  readonly data: string;
  readonly [extra: string]: unknown;
}

export const DATA_ADDRESS_KINDS = ['file', 'http', 'inline'] as const;

export interface Asset {
  /**
   * The DSP dataset id: an absolute IRI (urn:..., https://...) or a plain id (EDC's UUIDs), which
   * JSON-LD expands as a relative IRI (validate/fields.ts).
   */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly keywords: readonly string[];
  readonly sector: Sector;
  /** A grade of policies/vocabulary/grades.ts: general, important, core, JR-L1..JR-L5. */
  readonly dataGrade: string;
  /** Media type of the data, e.g. text/csv. */
  readonly format: string;
  /** Licence URL. */
  readonly licence: string;
  /** The publisher's DID or name. */
  readonly publisher: string;
  /** ISO 8601 date-time; defaults to the time of registration. */
  readonly issued: string;
  /** ISO 8601 date-time; set on every write unless given. */
  readonly modified: string;
  readonly dataAddress: DataAddress;
  /** Set when the asset is part of a product registered at the authority (connector/products); not input. */
  readonly registration?: AssetRegistration;
  // DCAT-AP metadata (dcat-ap.ts); each defaults to the member's registration when absent.
  /** EU data theme codes (HEAL, ECON, ...), Shuyu sectors or theme IRIs. Default: the sector's. */
  readonly themes?: readonly string[];
  /** ISO 3166 codes (CN, CN-BJ) or place IRIs. Default: the member's regions. */
  readonly spatial?: readonly string[];
  /** The period the data covers: ISO dates (YYYY-MM-DD) or date-times, either end may be open. */
  readonly temporal?: TemporalCoverage;
  /** An e-mail address or telephone number for questions on the dataset. Default: the member's. */
  readonly contact?: string;
}

export interface TemporalCoverage {
  readonly start?: string;
  readonly end?: string;
}

/** The authority's registration of the data product an asset belongs to (数据产品登记). */
export interface AssetRegistration {
  /** The unified product identifier, e.g. SY-DS-2026-000001-3. */
  readonly productId: string;
  /** The DataProductRegistration credential's id (urn:uuid). */
  readonly credentialId: string;
  /** Where the credential can be fetched (the authority's /products/:id/credential). */
  readonly credentialUrl: string;
}

/** What a caller gives to create or replace an asset: issued and modified are optional. */
export type AssetInput = Omit<Asset, 'issued' | 'modified' | 'registration'> & {
  readonly issued?: string;
  readonly modified?: string;
};

/**
 * Which assets an offer covers: all (`{}`), an explicit list, or every asset of one sector. One
 * criterion at most, so a reader sees at a glance what is offered.
 */
export interface AssetSelector {
  readonly assetIds?: readonly string[];
  readonly sector?: Sector;
}

export type Approval = 'automatic' | 'manual';

/** A contract definition. */
export interface Offer {
  /** Letters, digits, `.`, `_`, `-` (no `:`, so a DSP offer id can carry it with the asset id). */
  readonly id: string;
  readonly assetSelector: AssetSelector;
  /** ODRL policy (any JSON-LD form) deciding who may see the offer in the catalog (action read). */
  readonly accessPolicy: unknown;
  /** ODRL Offer without target: the terms a negotiation agrees on. */
  readonly contractPolicy: unknown;
  /** Whether a matching contract request is agreed by the connector or waits for the operator. */
  readonly approval: Approval;
}

export type OfferInput = Omit<Offer, 'approval'> & { readonly approval?: Approval };
