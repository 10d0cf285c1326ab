// Checks an asset as the management API receives it and returns the normalised Asset, or throws a
// ValidationError listing every field problem with its JSON pointer.

import { GRADES } from '../../../policies/vocabulary/grades.js';
import { EU_THEME_LABELS, isContact } from '../dcat-ap.js';
import {
  DATA_ADDRESS_KINDS,
  SECTORS,
  type Asset,
  type DataAddress,
  type TemporalCoverage,
} from '../types.js';
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
  'themes',
  'spatial',
  'temporal',
  'contact',
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
  const dcat = parseDcatFields(input, f);
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
    ...dcat,
  };
}

const THEME_CODES = [...Object.keys(EU_THEME_LABELS), ...SECTORS];
/** ISO 3166-1 alpha-2, optionally with an ISO 3166-2 subdivision (CN, CN-BJ). */
const REGION_CODE = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The optional DCAT-AP fields (dcat-ap.ts); absent ones default to the member's registration. */
function parseDcatFields(
  input: JsonRecord,
  f: Fields,
): Pick<Asset, 'themes' | 'spatial' | 'temporal' | 'contact'> {
  const out: { -readonly [K in 'themes' | 'spatial' | 'temporal' | 'contact']?: Asset[K] } = {};
  if (input.themes !== undefined) {
    const themes = f.stringList(input.themes, '/themes', { maxItems: 20, maxLength: 512 });
    themes?.forEach((t, i) => {
      if (!THEME_CODES.includes(t) && !/^https?:\/\//.test(t))
        f.fail(
          `/themes/${i}`,
          `expected an EU data theme (${Object.keys(EU_THEME_LABELS).join(', ')}), a sector or an http(s) IRI`,
        );
    });
    if (themes) out.themes = themes;
  }
  if (input.spatial !== undefined) {
    const spatial = f.stringList(input.spatial, '/spatial', { maxItems: 20, maxLength: 512 });
    spatial?.forEach((r, i) => {
      if (!REGION_CODE.test(r) && !/^https?:\/\//.test(r))
        f.fail(`/spatial/${i}`, 'expected an ISO 3166 code (CN, CN-BJ) or an http(s) IRI');
    });
    if (spatial) out.spatial = spatial;
  }
  if (input.temporal !== undefined) {
    const temporal = parseTemporal(input.temporal, f);
    if (temporal) out.temporal = temporal;
  }
  if (input.contact !== undefined) {
    const contact = f.string(input.contact, '/contact', { max: 256 });
    if (contact !== undefined && !isContact(contact))
      f.fail('/contact', 'expected an e-mail address or a telephone number');
    else if (contact !== undefined) out.contact = contact;
  }
  return out;
}

function parseTemporal(value: unknown, f: Fields): TemporalCoverage | undefined {
  if (!isRecord(value)) {
    f.fail('/temporal', `expected an object {start?, end?}, found ${kindOf(value)}`);
    return undefined;
  }
  f.onlyKeys(value, ['start', 'end'], '/temporal');
  const end = (key: 'start' | 'end'): string | undefined => {
    const v = value[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string' && DATE.test(v) && !Number.isNaN(Date.parse(v))) return v;
    return f.dateTime(v, `/temporal/${key}`);
  };
  const start = end('start');
  const finish = end('end');
  if (value.start === undefined && value.end === undefined) {
    f.fail('/temporal', 'give start, end or both');
    return undefined;
  }
  if (start !== undefined && finish !== undefined && Date.parse(finish) < Date.parse(start))
    f.fail('/temporal/end', 'must not be earlier than start');
  return { ...(start === undefined ? {} : { start }), ...(finish === undefined ? {} : { end: finish }) };
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
