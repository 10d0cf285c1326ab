// Shuyu's extension properties on DSP messages. They are keyed by full IRIs in the Shuyu namespace, so a
// peer that does not know them ignores them (JSON-LD: a property no context maps stays an IRI), and no DSP
// term or prefix can ever collide with them. What Shuyu peers carry:
//   TransferRequestMessage              #purpose, #spatial: what the consumer declares it will use the data
//                                       for and where (checked by the provider's data plane at every access)
//   ContractAgreementMessage            #providerSignature: the provider's JWS over the canonical agreement
//   ContractAgreementVerificationMessage #consumerSignature: the consumer's JWS over its verification
// A received message may have been through JSON-LD compaction, which turns a one-element list into a
// plain value: readers accept both.

import { SHUYU_NS } from '../../policies/index.js';
import { DspError } from '../dsp/messages/index.js';

export const SHUYU_PURPOSE = `${SHUYU_NS}purpose`;
export const SHUYU_SPATIAL = `${SHUYU_NS}spatial`;
export const SHUYU_PROVIDER_SIGNATURE = `${SHUYU_NS}providerSignature`;
export const SHUYU_CONSUMER_SIGNATURE = `${SHUYU_NS}consumerSignature`;

/** Most purposes or places a transfer may declare, and the longest one. */
export const MAX_DECLARED_VALUES = 16;
export const MAX_DECLARED_LENGTH = 512;
/** Longest signature accepted (an EdDSA JWS over a small payload is well below 2 KiB). */
export const MAX_SIGNATURE_LENGTH = 8192;

/** What a consumer declares about its use of a transfer's data. */
export interface DeclaredUsage {
  readonly purpose?: readonly string[];
  readonly spatial?: readonly string[];
}

/** The JSON pointer of a top-level key (RFC 6901 escaping). */
export function keyPointer(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** Extension properties carrying a declared usage (none for an empty declaration). */
export function usageProperties(usage: DeclaredUsage): Record<string, readonly string[]> {
  return {
    ...(usage.purpose !== undefined && usage.purpose.length > 0 ? { [SHUYU_PURPOSE]: usage.purpose } : {}),
    ...(usage.spatial !== undefined && usage.spatial.length > 0 ? { [SHUYU_SPATIAL]: usage.spatial } : {}),
  };
}

/** Why `values` is not a usable declaration, or undefined (for operator input and received messages). */
export function declaredValuesProblem(values: unknown): string | undefined {
  const list = Array.isArray(values) ? values : [values];
  if (list.length === 0) return 'must name at least one value';
  if (list.length > MAX_DECLARED_VALUES) return `must name at most ${MAX_DECLARED_VALUES} values`;
  for (const value of list) {
    if (typeof value !== 'string' || value.trim() === '') return 'must be non-empty strings';
    if (value.length > MAX_DECLARED_LENGTH)
      return `must be strings of at most ${MAX_DECLARED_LENGTH} characters`;
  }
  return undefined;
}

/** The usage a received message declares; a malformed declaration is a 400 naming the property. */
export function readDeclaredUsage(message: object): DeclaredUsage {
  const read = (key: string): string[] | undefined => {
    const value = (message as Record<string, unknown>)[key];
    if (value === undefined) return undefined;
    const problem = declaredValuesProblem(value);
    if (problem !== undefined) {
      throw new DspError('bad-message', `the Shuyu extension ${key} ${problem}`, [
        { pointer: keyPointer(key), reason: problem },
      ]);
    }
    return (Array.isArray(value) ? value : [value]) as string[];
  };
  const purpose = read(SHUYU_PURPOSE);
  const spatial = read(SHUYU_SPATIAL);
  return { ...(purpose ? { purpose } : {}), ...(spatial ? { spatial } : {}) };
}

/** A signature extension of a received message: undefined when absent, a 400 when malformed. */
export function readSignature(message: object, key: string): string | undefined {
  const value = (message as Record<string, unknown>)[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > MAX_SIGNATURE_LENGTH || value.split('.').length !== 3) {
    throw new DspError('bad-message', `the Shuyu extension ${key} must be a compact JWS`, [
      { pointer: keyPointer(key), reason: 'must be a compact JWS (three dot-separated parts)' },
    ]);
  }
  return value;
}
