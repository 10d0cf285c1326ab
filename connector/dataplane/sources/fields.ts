// Reading the fields of a data address: every source validates its own, with the same messages.
import { DataPlaneError } from '../errors.js';
import type { DataAddressLike } from './types.js';

const MEDIA_TYPE =
  /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;\s*[a-z0-9-]+=[a-z0-9._-]+)*$/i;

export function invalidAddress(kind: string, reason: string): DataPlaneError {
  return new DataPlaneError(
    'ERR_SOURCE_ADDRESS_INVALID',
    `The ${kind} data address ${reason}; fix the asset.`,
    {
      details: { kind },
    },
  );
}

export function requiredString(address: DataAddressLike, field: string): string {
  const value = address[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidAddress(address.kind, `needs "${field}" as a non-empty string`);
  }
  return value;
}

export function optionalString(address: DataAddressLike, field: string): string | undefined {
  const value = address[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidAddress(address.kind, `has "${field}" that is not a non-empty string`);
  }
  return value;
}

/** The address's `contentType` (validated), else `fallback`. */
export function contentTypeOf(address: DataAddressLike, fallback: string): string {
  const value = optionalString(address, 'contentType');
  if (value === undefined) return fallback;
  if (value.length > 200 || !MEDIA_TYPE.test(value)) {
    throw invalidAddress(
      address.kind,
      `has "contentType" ${JSON.stringify(value.slice(0, 60))}, not a media type`,
    );
  }
  return value;
}

const BY_EXTENSION: Readonly<Record<string, string>> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  jsonl: 'application/jsonl',
  ndjson: 'application/x-ndjson',
  txt: 'text/plain',
  xml: 'application/xml',
  parquet: 'application/vnd.apache.parquet',
  zip: 'application/zip',
  gz: 'application/gzip',
  pdf: 'application/pdf',
};

export function contentTypeForPath(path: string): string {
  const dot = path.lastIndexOf('.');
  const extension = dot >= 0 ? path.slice(dot + 1).toLowerCase() : '';
  return BY_EXTENSION[extension] ?? 'application/octet-stream';
}
