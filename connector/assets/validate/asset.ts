// Checks an asset as the management API receives it and returns the normalised Asset, or throws a
// ValidationError listing every field problem with its JSON pointer.

import { GRADES } from '../../../policies/vocabulary/grades.js';
import { DATA_ADDRESS_KINDS, SECTORS, type Asset, type DataAddress } from '../types.js';
import { child, Fields, invalidInput, isRecord, kindOf, type JsonRecord } from './fields.js';

const ASSET_KEYS = [
  'id',
  'title',
  'description',
  'keywords',
  'sector',
  'dataGrade',
  'format',
  'licence',
  'publisher',
  'issued',
  'modified',
  'dataAddress',
] as const;

/** Inline data is for samples and small reference tables; larger data belongs in a file or behind HTTP. */
export const MAX_INLINE_DATA = 1024 * 1024;
/** A data address is configuration, not data: keep it small. */
const MAX_DATA_ADDRESS_JSON = 64 * 1024;

export interface AssetDefaults {
  /** Used when the input gives no `issued`. */
  readonly issued: string;
  /** Used when the input gives no `modified`. */
  readonly modified: string;
}

export function parseAsset(input: unknown, defaults: AssetDefaults): Asset {
  const f = new Fields();
  if (!isRecord(input)) {
    f.fail('', `expected a JSON object, found ${kindOf(input)}`);
    throw invalidInput('ERR_ASSET_INVALID', 'asset', f);
  }
  f.onlyKeys(input, ASSET_KEYS, '');
  const id = f.datasetId(input.id, '/id');
  const title = f.string(input.title, '/title', { max: 500 });
  const description = f.string(input.description ?? '', '/description', { max: 10_000, min: 0 });
  const keywords = f.stringList(input.keywords ?? [], '/keywords', { maxItems: 50, maxLength: 100 });
  const sector = f.oneOf(input.sector, SECTORS, '/sector');
  const dataGrade = f.oneOf(input.dataGrade, GRADES, '/dataGrade');
  const format = f.mediaType(input.format, '/format');
  const licence = f.httpUrl(input.licence, '/licence');
  const publisher = f.string(input.publisher, '/publisher', { max: 512 });
  const issued = input.issued === undefined ? defaults.issued : f.dateTime(input.issued, '/issued');
  const modified = input.modified === undefined ? defaults.modified : f.dateTime(input.modified, '/modified');
  if (issued !== undefined && modified !== undefined && Date.parse(modified) < Date.parse(issued))
    f.fail('/modified', 'must not be earlier than issued');
  const dataAddress = parseDataAddress(input.dataAddress, '/dataAddress', f);
  if (
    f.errors.length > 0 ||
    id === undefined ||
    title === undefined ||
    description === undefined ||
    keywords === undefined ||
    sector === undefined ||
    dataGrade === undefined ||
    format === undefined ||
    licence === undefined ||
    publisher === undefined ||
    issued === undefined ||
    modified === undefined ||
    dataAddress === undefined
  )
    throw invalidInput('ERR_ASSET_INVALID', 'asset', f);
  return {
    id,
    title,
    description,
    keywords,
    sector,
    dataGrade,
    format,
    licence,
    publisher,
    issued,
    modified,
    dataAddress,
  };
}

/** Checks the kind and the fields that kind needs; any other settings are kept for the data plane. */
function parseDataAddress(value: unknown, pointer: string, f: Fields): DataAddress | undefined {
  if (!isRecord(value)) {
    f.fail(pointer, value === undefined ? 'required' : `expected an object, found ${kindOf(value)}`);
    return undefined;
  }
  const before = f.errors.length;
  const kind = f.oneOf(value.kind, DATA_ADDRESS_KINDS, child(pointer, 'kind'));
  switch (kind) {
    case 'file': {
      const path = f.string(value.path, child(pointer, 'path'), { max: 4096 });
      if (path !== undefined && !path.startsWith('/'))
        f.fail(child(pointer, 'path'), 'must be an absolute path');
      break;
    }
    case 'http':
      f.httpUrl(value.url, child(pointer, 'url'));
      break;
    case 'inline':
      f.string(value.data, child(pointer, 'data'), { max: MAX_INLINE_DATA, min: 0 });
      break;
  }
  if (kind !== 'inline' && jsonLength(value) > MAX_DATA_ADDRESS_JSON)
    f.fail(pointer, `larger than ${MAX_DATA_ADDRESS_JSON} bytes of JSON`);
  return f.errors.length === before ? (structuredClone(value) as JsonRecord as DataAddress) : undefined;
}

function jsonLength(value: unknown): number {
  return JSON.stringify(value).length;
}
