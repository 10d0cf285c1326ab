// What a connector allows each counterparty, from three layers, later ones winning key by key:
// the defaults below, the data space profile (`rateLimits` in GET /authority/v1/profile, from the
// authority's profile/rate-limits.json) and the connector's own connector.json `rateLimits`.
//
//   {
//     "dsp":        { "perSecond": 50, "burst": 100 },   DSP requests per authenticated caller DID
//     "dataPlane":  { "perSecond": 50, "burst": 100,     data-plane requests per consumer DID
//                     "concurrentStreams": 16 },         downloads in flight per consumer DID
//     "perAddress": { "perSecond": 100, "burst": 200 },  DSP and data-plane requests per remote address,
//                                                        counted before authentication (cheap refusal)
//     "maxTrackedKeys": 10000                            buckets remembered per limit (LRU)
//   }
// perSecond 0 (or concurrentStreams 0) turns that limit off.
import { ConfigError } from '../../process/config.js';
import type { BucketSettings } from './token-buckets.js';

export interface RateLimitSettings {
  readonly dsp: BucketSettings;
  readonly dataPlane: BucketSettings & { readonly concurrentStreams: number };
  readonly perAddress: BucketSettings;
  readonly maxTrackedKeys: number;
}

/** A layer as written in a file or the profile: any key may be left out. */
export interface RateLimitOverrides {
  readonly dsp?: Partial<BucketSettings>;
  readonly dataPlane?: Partial<BucketSettings & { concurrentStreams: number }>;
  readonly perAddress?: Partial<BucketSettings>;
  readonly maxTrackedKeys?: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  dsp: { perSecond: 50, burst: 100 },
  dataPlane: { perSecond: 50, burst: 100, concurrentStreams: 16 },
  perAddress: { perSecond: 100, burst: 200 },
  maxTrackedKeys: 10_000,
};

/** Every limit off (benchmarks measure the connector, not its limits). */
export const NO_RATE_LIMITS: RateLimitOverrides = {
  dsp: { perSecond: 0 },
  dataPlane: { perSecond: 0, concurrentStreams: 0 },
  perAddress: { perSecond: 0 },
};

const GROUPS = {
  dsp: ['perSecond', 'burst'],
  dataPlane: ['perSecond', 'burst', 'concurrentStreams'],
  perAddress: ['perSecond', 'burst'],
} as const;

/** Checks a layer (`where` names it in errors); undefined stays undefined. */
export function parseRateLimits(value: unknown, where: string): RateLimitOverrides | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new ConfigError(`${where} must be an object`);
  const out: Record<string, unknown> = {};
  for (const [key, group] of Object.entries(value)) {
    if (key === 'maxTrackedKeys') {
      if (!Number.isInteger(group) || (group as number) < 1)
        throw new ConfigError(`${where} "maxTrackedKeys" must be a positive integer`);
      out[key] = group;
      continue;
    }
    const fields = (GROUPS as Record<string, readonly string[]>)[key];
    if (fields === undefined)
      throw new ConfigError(
        `${where}: unknown key "${key}" (known: dsp, dataPlane, perAddress, maxTrackedKeys)`,
      );
    if (!isObject(group)) throw new ConfigError(`${where} "${key}" must be an object`);
    for (const [field, number] of Object.entries(group)) {
      if (!fields.includes(field))
        throw new ConfigError(`${where} "${key}": unknown key "${field}" (known: ${fields.join(', ')})`);
      const valid =
        typeof number === 'number' &&
        Number.isFinite(number) &&
        (field === 'burst' ? number >= 1 : number >= 0) &&
        (field === 'perSecond' || Number.isInteger(number));
      if (!valid)
        throw new ConfigError(
          `${where} "${key}.${field}" must be ${field === 'burst' ? 'an integer of at least 1' : field === 'perSecond' ? 'a number of at least 0' : 'a non-negative integer'}`,
        );
    }
    out[key] = group;
  }
  return out as RateLimitOverrides;
}

/** The defaults with each layer applied in order. */
export function resolveRateLimits(...layers: readonly (RateLimitOverrides | undefined)[]): RateLimitSettings {
  let settings = DEFAULT_RATE_LIMITS;
  for (const layer of layers) {
    if (layer === undefined) continue;
    settings = {
      dsp: { ...settings.dsp, ...layer.dsp },
      dataPlane: { ...settings.dataPlane, ...layer.dataPlane },
      perAddress: { ...settings.perAddress, ...layer.perAddress },
      maxTrackedKeys: layer.maxTrackedKeys ?? settings.maxTrackedKeys,
    };
  }
  return settings;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
