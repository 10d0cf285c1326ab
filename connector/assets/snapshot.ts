// The catalog's in-memory view of the registry: every asset with the offers that select it, each
// offer's policies compiled and its DSP body rendered. A catalog request then touches no database
// and compiles nothing (Eclipse EDC queries its store per contract definition and slows to a crawl
// at a few thousand). Refreshing after a write re-reads only the rows written since (by sequence
// number) and the id lists; everything else, compiled policies included, is carried over.
//
// Offers usually share a few access policies (one per audience) and contract policies (one per
// kind of use), so identical policies (same canonical text) are compiled once. Each distinct access
// policy gets one slot: a caller's view (caller-view.ts) evaluates it once per data grade, however
// many offers use it.

import { compilePolicySync, type CompiledPolicy } from '../../policies/index.js';
import type { JsonObject } from '../../policies/jsonld/canonicalize.js';
import { GRADES } from '../../policies/vocabulary/grades.js';
import { datasetHeader, dspPolicyBody, type DatasetContext, type DatasetHeader } from './dsp.js';
import { compareText } from './dataset-fields.js';
import { policyTerms } from './policy-key.js';
import type { OfferRecord, RegistryChanges } from './store.js';
import { sortedBoundaries, timeBoundaries } from './time-bounds.js';
import type { Asset, Offer } from './types.js';

/** One distinct access policy. */
export interface AccessPolicy {
  readonly compiled: CompiledPolicy;
  /** Its rules in DSP form: published to the federated catalog so it can filter for each asker. */
  readonly body: JsonObject;
  /** Its slot in a caller's visibility memo (Visibility). */
  readonly slot: number;
  /** Instants at which its decisions may change by themselves (time-bounds.ts). */
  readonly boundaries: readonly number[];
}

/** One distinct contract policy. */
export interface ContractPolicy {
  readonly compiled: CompiledPolicy;
  /** Per top-level property, the comparison key (policy-key.ts). */
  readonly terms: ReadonlyMap<string, string>;
  /** The rules in DSP form (frozen); a catalog offer adds @id, @type and assigner. */
  readonly body: JsonObject;
}

export interface OfferEntry {
  readonly offer: Offer;
  readonly seq: number;
  readonly access: AccessPolicy;
  readonly contract: ContractPolicy;
  readonly source: OfferRecord;
}

export interface AssetEntry {
  readonly asset: Asset;
  readonly seq: number;
  readonly header: DatasetHeader;
  /** Lower-cased, for the keyword filter. */
  readonly keywords: ReadonlySet<string>;
  /** Index of the asset's grade in GRADES (the memo's second dimension). */
  readonly grade: number;
  /** Offers selecting this asset, by offer id. */
  readonly offers: readonly OfferEntry[];
}

export interface Snapshot {
  /** The store version this snapshot reflects (AssetStore.version). */
  readonly version: number;
  /** The registry sequence number it was read at (AssetStore.changesSince). */
  readonly seq: number;
  /** Sorted by id (compareText): the catalog's default order, stable for pagination. */
  readonly assets: readonly AssetEntry[];
  readonly assetsById: ReadonlyMap<string, AssetEntry>;
  /** Sorted by id. */
  readonly offers: readonly OfferEntry[];
  readonly offersById: ReadonlyMap<string, OfferEntry>;
  /** Distinct access policies by canonical text; their count sizes the visibility memo. */
  readonly accessPolicies: ReadonlyMap<string, AccessPolicy>;
  /** Distinct contract policies by canonical text. */
  readonly contractPolicies: ReadonlyMap<string, ContractPolicy>;
  /** Every access policy's boundaries, sorted: visibility decided at t holds until the next one. */
  readonly timeBoundaries: Float64Array;
}

export type RenderSettings = DatasetContext;

/** Thrown when `changes` do not extend `previous` (a row is neither carried over nor re-read). */
export class SnapshotGapError extends Error {}

export function buildSnapshot(
  changes: RegistryChanges,
  version: number,
  previous: Snapshot | undefined,
  render: RenderSettings,
): Snapshot {
  const accessPolicies = new Map<string, AccessPolicy>();
  const accessFor = (text: string): AccessPolicy => {
    let access = accessPolicies.get(text);
    if (access === undefined) {
      const old = previous?.accessPolicies.get(text);
      const compiled = old?.compiled ?? compile(text);
      const body = old?.body ?? dspPolicyBody(JSON.parse(text) as JsonObject);
      const boundaries = old?.boundaries ?? timeBoundaries(compiled.policy);
      access = { compiled, body, boundaries, slot: accessPolicies.size };
      accessPolicies.set(text, access);
    }
    return access;
  };
  const contractPolicies = new Map<string, ContractPolicy>();
  const contractFor = (text: string): ContractPolicy => {
    let contract = contractPolicies.get(text);
    if (contract === undefined) {
      contract = previous?.contractPolicies.get(text) ?? contractPolicy(text);
      contractPolicies.set(text, contract);
    }
    return contract;
  };
  const offers = changes.offerStamps.map(({ id, seq }): OfferEntry => {
    const old = previous?.offersById.get(id);
    const record = old !== undefined && old.seq === seq ? old.source : changes.offers.get(id);
    if (record === undefined) throw new SnapshotGapError(`offer ${id} (seq ${seq}) was not re-read`);
    return {
      offer: record.offer,
      seq,
      access: accessFor(record.accessCanonical),
      contract: contractFor(record.contractCanonical),
      source: record,
    };
  });
  const assetList = changes.assetStamps.map(({ id, seq }) => {
    const old = previous?.assetsById.get(id);
    if (old !== undefined && old.seq === seq) return old;
    const asset = changes.assets.get(id);
    if (asset === undefined) throw new SnapshotGapError(`asset ${id} (seq ${seq}) was not re-read`);
    return {
      asset,
      seq,
      header: datasetHeader(asset, render),
      keywords: new Set(asset.keywords.map((k) => k.toLowerCase())),
    };
  });
  const selecting = selectors(
    assetList.map((a) => a.asset),
    offers,
  );
  // The database orders ids by their UTF-8 bytes; cursors compare JavaScript strings (already sorted: linear).
  assetList.sort((a, b) => compareText(a.asset.id, b.asset.id));
  const assets: AssetEntry[] = assetList.map(({ asset, seq, header, keywords }) => {
    // A grade outside the vocabulary (it changed since the write) cannot be judged: offer nothing.
    const grade = GRADES.indexOf(asset.dataGrade);
    return {
      asset,
      seq,
      header,
      keywords,
      grade: Math.max(0, grade),
      offers: grade < 0 ? [] : (selecting.get(asset.id) ?? []),
    };
  });
  return {
    version,
    seq: changes.seq,
    assets,
    assetsById: new Map(assets.map((a) => [a.asset.id, a])),
    offers,
    offersById: new Map(offers.map((o) => [o.offer.id, o])),
    accessPolicies,
    contractPolicies,
    timeBoundaries: sortedBoundaries([...accessPolicies.values()].map((a) => a.boundaries)),
  };
}

/**
 * The stored canonical forms compiled when they were written; if one no longer compiles (a
 * vocabulary changed), the compiled policy denies everything and the offer disappears: fail closed.
 */
function compile(canonicalText: string): CompiledPolicy {
  return compilePolicySync(JSON.parse(canonicalText)).policy;
}

function contractPolicy(canonicalText: string): ContractPolicy {
  const canonical = JSON.parse(canonicalText) as JsonObject;
  return {
    compiled: compilePolicySync(canonical).policy,
    terms: policyTerms(canonical),
    body: dspPolicyBody(canonical),
  };
}

/** For each asset id, the offers selecting it, in offer-id order (offers are given sorted). */
function selectors(assets: readonly Asset[], offers: readonly OfferEntry[]): Map<string, OfferEntry[]> {
  const out = new Map<string, OfferEntry[]>();
  const add = (assetId: string, offer: OfferEntry): void => {
    const list = out.get(assetId);
    if (list === undefined) out.set(assetId, [offer]);
    else list.push(offer);
  };
  const bySector = new Map<string, string[]>();
  for (const a of assets) {
    const ids = bySector.get(a.sector);
    if (ids === undefined) bySector.set(a.sector, [a.id]);
    else ids.push(a.id);
  }
  for (const offer of offers) {
    const { assetIds, sector } = offer.offer.assetSelector;
    if (assetIds !== undefined) for (const id of assetIds) add(id, offer);
    else if (sector !== undefined) for (const id of bySector.get(sector) ?? []) add(id, offer);
    else for (const a of assets) add(a.id, offer);
  }
  return out;
}
