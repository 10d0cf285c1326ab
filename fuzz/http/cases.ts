// What the HTTP fuzzer sends: a valid request of every kind the connectors take (DSP messages as the
// consumer, management calls with the key, data-plane pulls with the EDR token), then one to three
// mutations drawn by fast-check: fields dropped, duplicated or retyped, a wrong @type, huge strings and
// arrays, deep nesting, odd unicode, numbers out of range, wrong pids, bad JSON, a wrong content type,
// an oversized body, bad tokens, traversal in ids, Range abuse, random methods and paths.
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import {
  buildCatalogRequestMessage,
  buildContractAgreementMessage,
  buildContractAgreementVerificationMessage,
  buildContractNegotiationEventMessage,
  buildContractNegotiationTerminationMessage,
  buildContractOfferMessage,
  buildContractRequestMessage,
  buildTransferCompletionMessage,
  buildTransferRequestMessage,
  buildTransferStartMessage,
  buildTransferSuspensionMessage,
  buildTransferTerminationMessage,
} from '../../connector/dsp/messages/build.js';
import { assetInput, catalogOfferId, medicalContract, MEMBERS_ACCESS } from '../../tests/dsp/helpers.js';
import { cloneJson, DUPLICATES, jsonPaths, jsonText, parentOf, RawJson, type Bendable } from './json-text.js';
import { DATASET, REVIEWED, SCRATCH, type Fixtures, type FuzzWorld } from './world.js';

export type Surface = 'dsp' | 'management' | 'dataplane' | 'other';
export type Auth =
  | 'consumer'
  | 'provider'
  | 'stranger'
  | 'expired'
  | 'management'
  | 'other-management'
  | 'edr'
  | 'other-edr'
  | 'garbage'
  | 'alg-none'
  | 'basic'
  | 'none';

/** A request before it is put on the wire: mutations work on this. */
export interface Draft {
  surface: Surface;
  target: 'provider' | 'consumer';
  method: string;
  path: string;
  auth: Auth;
  json?: unknown;
  /** Replaces the serialised json when set (bad JSON, oversized bodies). */
  raw?: string;
  /** null: no content-type header. */
  contentType?: string | null;
  headers: Record<string, string>;
  mutations: string[];
}

/** What goes on the wire, and what a reproducer shows. */
export interface WireRequest {
  readonly surface: Surface;
  readonly target: 'provider' | 'consumer';
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly mutations: readonly string[];
}

type Template = (f: Fixtures, w: FuzzWorld) => Omit<Draft, 'mutations' | 'headers'>;

const enc = encodeURIComponent;
const dspPost = (path: string, json: unknown): Omit<Draft, 'mutations' | 'headers'> => ({
  surface: 'dsp',
  target: 'provider',
  method: 'POST',
  path: `/dsp${path}`,
  auth: 'consumer',
  json,
});
const callback = (method: string, path: string, json?: unknown): Omit<Draft, 'mutations' | 'headers'> => ({
  surface: 'dsp',
  target: 'consumer',
  method,
  path: `/dsp${path}`,
  auth: 'provider',
  ...(json !== undefined ? { json } : {}),
});
const mgmt = (
  target: 'provider' | 'consumer',
  method: string,
  path: string,
  json?: unknown,
): Omit<Draft, 'mutations' | 'headers'> => ({
  surface: 'management',
  target,
  method,
  path: `/management/v1${path}`,
  auth: 'management',
  ...(json !== undefined ? { json } : {}),
});

function offerFor(w: FuzzWorld, name: string, dataset: string): Record<string, unknown> {
  return {
    ...(medicalContract() as Record<string, unknown>),
    '@id': catalogOfferId(name, dataset),
    assigner: w.provider.did,
    target: dataset,
  };
}

/** Valid requests, one per kind of message or call. */
export const TEMPLATES: readonly [string, Template][] = [
  ['dsp catalog request', () => dspPost('/catalog/request', buildCatalogRequestMessage({ filter: [] }))],
  [
    'dsp dataset',
    () => ({
      surface: 'dsp',
      target: 'provider',
      method: 'GET',
      path: `/dsp/catalog/datasets/${enc(DATASET)}`,
      auth: 'consumer',
    }),
  ],
  [
    'dsp negotiation state',
    (f) => ({
      surface: 'dsp',
      target: 'provider',
      method: 'GET',
      path: `/dsp/negotiations/${enc(f.finalized.providerPid)}`,
      auth: 'consumer',
    }),
  ],
  [
    'dsp contract request (initial)',
    (_f, w) =>
      dspPost(
        '/negotiations/request',
        buildContractRequestMessage({
          consumerPid: `urn:uuid:${randomUUID()}`,
          offer: offerFor(w, 'reviewed', REVIEWED),
          callbackAddress: `${w.consumer.url}/dsp`,
        } as never),
      ),
  ],
  [
    'dsp contract request (counter)',
    (f, w) =>
      dspPost(
        `/negotiations/${enc(f.pending.providerPid)}/request`,
        buildContractRequestMessage({
          consumerPid: f.pending.consumerPid,
          providerPid: f.pending.providerPid,
          offer: offerFor(w, 'reviewed', REVIEWED),
        } as never),
      ),
  ],
  [
    'dsp contract offer (to a provider)',
    (f, w) =>
      dspPost(
        `/negotiations/${enc(f.pending.providerPid)}/offers`,
        buildContractOfferMessage({
          consumerPid: f.pending.consumerPid,
          providerPid: f.pending.providerPid,
          offer: offerFor(w, 'reviewed', REVIEWED),
        } as never),
      ),
  ],
  [
    'dsp agreement (to a provider)',
    (f, w) =>
      dspPost(
        `/negotiations/${enc(f.finalized.providerPid)}/agreement`,
        buildContractAgreementMessage({
          consumerPid: f.finalized.consumerPid,
          providerPid: f.finalized.providerPid,
          agreement: {
            ...(medicalContract() as Record<string, unknown>),
            '@id': f.agreementId,
            '@type': 'Agreement',
            assigner: w.provider.did,
            assignee: w.consumer.did,
            target: DATASET,
            timestamp: new Date().toISOString(),
          },
        } as never),
      ),
  ],
  [
    'dsp agreement verification',
    (f) =>
      dspPost(
        `/negotiations/${enc(f.finalized.providerPid)}/agreement/verification`,
        buildContractAgreementVerificationMessage({
          consumerPid: f.finalized.consumerPid,
          providerPid: f.finalized.providerPid,
        } as never),
      ),
  ],
  [
    'dsp negotiation event',
    (f) =>
      dspPost(
        `/negotiations/${enc(f.pending.providerPid)}/events`,
        buildContractNegotiationEventMessage({
          consumerPid: f.pending.consumerPid,
          providerPid: f.pending.providerPid,
          eventType: 'ACCEPTED',
        } as never),
      ),
  ],
  [
    'dsp negotiation termination',
    (f) =>
      dspPost(
        `/negotiations/${enc(f.pending.providerPid)}/termination`,
        buildContractNegotiationTerminationMessage({
          consumerPid: f.pending.consumerPid,
          providerPid: f.pending.providerPid,
          code: 'fuzz',
          reason: ['fuzz'],
        } as never),
      ),
  ],
  [
    'dsp transfer state',
    (f) => ({
      surface: 'dsp',
      target: 'provider',
      method: 'GET',
      path: `/dsp/transfers/${enc(f.started.providerPid)}`,
      auth: 'consumer',
    }),
  ],
  [
    'dsp transfer request',
    (f, w) =>
      dspPost(
        '/transfers/request',
        buildTransferRequestMessage({
          consumerPid: `urn:uuid:${randomUUID()}`,
          agreementId: f.agreementId,
          format: 'HttpData-PULL',
          callbackAddress: `${w.consumer.url}/dsp`,
        } as never),
      ),
  ],
  [
    'dsp transfer start',
    (f) =>
      dspPost(
        `/transfers/${enc(f.suspended.providerPid)}/start`,
        buildTransferStartMessage({
          consumerPid: f.suspended.consumerPid,
          providerPid: f.suspended.providerPid,
        } as never),
      ),
  ],
  [
    'dsp transfer completion',
    (f) =>
      dspPost(
        `/transfers/${enc(f.started.providerPid)}/completion`,
        buildTransferCompletionMessage({
          consumerPid: f.started.consumerPid,
          providerPid: f.started.providerPid,
        } as never),
      ),
  ],
  [
    'dsp transfer suspension',
    (f) =>
      dspPost(
        `/transfers/${enc(f.started.providerPid)}/suspension`,
        buildTransferSuspensionMessage({
          consumerPid: f.started.consumerPid,
          providerPid: f.started.providerPid,
          code: 'fuzz',
          reason: ['fuzz'],
        } as never),
      ),
  ],
  [
    'dsp transfer termination',
    (f) =>
      dspPost(
        `/transfers/${enc(f.suspended.providerPid)}/termination`,
        buildTransferTerminationMessage({
          consumerPid: f.suspended.consumerPid,
          providerPid: f.suspended.providerPid,
          code: 'fuzz',
          reason: ['fuzz'],
        } as never),
      ),
  ],
  // The consumer's callbacks, as the provider.
  ['dsp callback: negotiation state', (f) => callback('GET', `/negotiations/${enc(f.pending.consumerPid)}`)],
  [
    'dsp callback: counter-offer',
    (f, w) =>
      callback(
        'POST',
        `/negotiations/${enc(f.pending.consumerPid)}/offers`,
        buildContractOfferMessage({
          consumerPid: f.pending.consumerPid,
          providerPid: f.pending.providerPid,
          offer: offerFor(w, 'reviewed', REVIEWED),
        } as never),
      ),
  ],
  [
    'dsp callback: agreement',
    (f, w) =>
      callback(
        'POST',
        `/negotiations/${enc(f.finalized.consumerPid)}/agreement`,
        buildContractAgreementMessage({
          consumerPid: f.finalized.consumerPid,
          providerPid: f.finalized.providerPid,
          agreement: {
            ...(medicalContract() as Record<string, unknown>),
            '@id': f.agreementId,
            '@type': 'Agreement',
            assigner: w.provider.did,
            assignee: w.consumer.did,
            target: DATASET,
            timestamp: new Date().toISOString(),
          },
        } as never),
      ),
  ],
  [
    'dsp callback: finalized event',
    (f) =>
      callback(
        'POST',
        `/negotiations/${enc(f.finalized.consumerPid)}/events`,
        buildContractNegotiationEventMessage({
          consumerPid: f.finalized.consumerPid,
          providerPid: f.finalized.providerPid,
          eventType: 'FINALIZED',
        } as never),
      ),
  ],
  [
    'dsp callback: negotiation termination',
    (f) =>
      callback(
        'POST',
        `/negotiations/${enc(f.pending.consumerPid)}/termination`,
        buildContractNegotiationTerminationMessage({
          consumerPid: f.pending.consumerPid,
          providerPid: f.pending.providerPid,
          code: 'fuzz',
          reason: ['fuzz'],
        } as never),
      ),
  ],
  ['dsp callback: transfer state', (f) => callback('GET', `/transfers/${enc(f.started.consumerPid)}`)],
  [
    'dsp callback: transfer start',
    (f) =>
      callback(
        'POST',
        `/transfers/${enc(f.suspended.consumerPid)}/start`,
        buildTransferStartMessage({
          consumerPid: f.suspended.consumerPid,
          providerPid: f.suspended.providerPid,
          dataAddress: {
            '@type': 'DataAddress',
            endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
            endpoint: f.suspended.endpoint,
            endpointProperties: [
              { '@type': 'EndpointProperty', name: 'authorization', value: f.suspended.authorization },
            ],
          },
        } as never),
      ),
  ],
  [
    'dsp callback: transfer completion',
    (f) =>
      callback(
        'POST',
        `/transfers/${enc(f.started.consumerPid)}/completion`,
        buildTransferCompletionMessage({
          consumerPid: f.started.consumerPid,
          providerPid: f.started.providerPid,
        } as never),
      ),
  ],
  [
    'dsp callback: transfer suspension',
    (f) =>
      callback(
        'POST',
        `/transfers/${enc(f.started.consumerPid)}/suspension`,
        buildTransferSuspensionMessage({
          consumerPid: f.started.consumerPid,
          providerPid: f.started.providerPid,
          code: 'fuzz',
          reason: ['fuzz'],
        } as never),
      ),
  ],
  [
    'dsp callback: transfer termination',
    (f) =>
      callback(
        'POST',
        `/transfers/${enc(f.suspended.consumerPid)}/termination`,
        buildTransferTerminationMessage({
          consumerPid: f.suspended.consumerPid,
          providerPid: f.suspended.providerPid,
          code: 'fuzz',
          reason: ['fuzz'],
        } as never),
      ),
  ],
  [
    'dsp version',
    () => ({
      surface: 'dsp',
      target: 'provider',
      method: 'GET',
      path: '/.well-known/dspace-version',
      auth: 'none',
    }),
  ],
  [
    'mgmt list negotiations',
    () => mgmt('provider', 'GET', '/negotiations?role=provider&state=REQUESTED,FINALIZED'),
  ],
  ['mgmt get negotiation', (f) => mgmt('provider', 'GET', `/negotiations/${enc(f.pending.providerPid)}`)],
  ['mgmt list transfers', () => mgmt('provider', 'GET', '/transfers?role=provider&limit=5')],
  ['mgmt get transfer', (f) => mgmt('consumer', 'GET', `/transfers/${enc(f.started.consumerPid)}`)],
  ['mgmt agreements', (f) => mgmt('provider', 'GET', `/agreements/${enc(f.agreementId)}`)],
  [
    'mgmt create asset',
    (_f, w) =>
      mgmt('provider', 'POST', '/assets', assetInput(`urn:dataset:fuzz-${randomUUID()}`, w.provider.did)),
  ],
  [
    'mgmt replace asset',
    (_f, w) => mgmt('provider', 'PUT', `/assets/${enc(SCRATCH)}`, assetInput(SCRATCH, w.provider.did)),
  ],
  [
    'mgmt delete asset',
    () => mgmt('provider', 'DELETE', `/assets/${enc(`urn:dataset:fuzz-${randomUUID()}`)}`),
  ],
  [
    'mgmt create offer',
    () =>
      mgmt('provider', 'POST', '/offers', {
        id: `fuzz-${randomUUID()}`,
        assetSelector: { assetIds: [SCRATCH] },
        accessPolicy: MEMBERS_ACCESS,
        contractPolicy: medicalContract(),
      }),
  ],
  [
    'mgmt catalog request',
    (_f, w) =>
      mgmt('consumer', 'POST', '/catalog/request', {
        counterPartyAddress: `${w.provider.url}/dsp`,
        counterPartyId: w.provider.did,
      }),
  ],
  ['mgmt policy check', () => mgmt('provider', 'POST', '/policies/check', { policy: medicalContract() })],
  [
    'mgmt start negotiation',
    (_f, w) =>
      mgmt('consumer', 'POST', '/negotiations', {
        counterPartyAddress: `${w.provider.url}/dsp`,
        counterPartyId: w.provider.did,
        datasetId: DATASET,
        offerId: catalogOfferId('open', DATASET),
      }),
  ],
  [
    'mgmt terminate negotiation',
    (f) =>
      mgmt('provider', 'POST', `/negotiations/${enc(f.finalized.providerPid)}/terminate`, { reason: 'fuzz' }),
  ],
  ['mgmt agree', (f) => mgmt('consumer', 'POST', `/negotiations/${enc(f.pending.consumerPid)}/agree`, {})],
  [
    'mgmt request transfer',
    (f) => mgmt('consumer', 'POST', '/transfers', { agreementId: f.agreementId, format: 'HttpData-PULL' }),
  ],
  [
    'mgmt resume transfer',
    (f) => mgmt('consumer', 'POST', `/transfers/${enc(f.started.consumerPid)}/resume`, {}),
  ],
  [
    'mgmt complete transfer',
    (f) => mgmt('provider', 'POST', `/transfers/${enc(f.suspended.providerPid)}/complete`, {}),
  ],
  [
    'data pull',
    (f, w) => ({
      surface: 'dataplane',
      target: 'provider',
      method: 'GET',
      path: new URL(f.started.endpoint).pathname || `/data/${w.provider.did}`,
      auth: 'edr',
    }),
  ],
  [
    'data pull (suspended)',
    (f) => ({
      surface: 'dataplane',
      target: 'provider',
      method: 'GET',
      path: new URL(f.suspended.endpoint).pathname,
      auth: 'other-edr',
    }),
  ],
  [
    'did document',
    () => ({
      surface: 'other',
      target: 'provider',
      method: 'GET',
      path: '/.well-known/did.json',
      auth: 'none',
    }),
  ],
  [
    'whoami',
    () => ({
      surface: 'other',
      target: 'provider',
      method: 'GET',
      path: '/identity/v1/whoami',
      auth: 'consumer',
    }),
  ],
];

// ---- mutations ----

type Mutation = (d: Draft, f: Fixtures, w: FuzzWorld) => void;

/** encodeURIComponent, with a lone surrogate written as its (invalid) UTF-8 bytes instead of throwing. */
function encodeSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s.replace(/[\s\S]/gu, (ch) =>
      ch.length === 1 && /[\ud800-\udfff]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch),
    );
  }
}

const ODD_STRINGS = [
  '\ud800',
  'x\udc00y',
  '\udbff\udfff\ud800',
  '\u0000',
  '\u202eevil',
  '\ufeff',
  '\u200b\u200d',
  'e\u0301\u0301\u0301',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢😀',
  '中文 ID',
  '',
  ' ',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '"\'<script>alert(1)</script>',
  '\\',
  '__proto__',
  'constructor',
  'http://169.254.169.254/latest/meta-data/',
  'file:///etc/passwd',
  'urn:uuid:00000000-0000-0000-0000-000000000000',
];
const ODD_NUMBERS = [
  '1e400',
  '-1e400',
  '18446744073709551616',
  '-9223372036854775809',
  '-0',
  '1e-400',
  '123456789012345678901234567890.5',
  '0.1e1',
];
const ODD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53 + 1,
  {},
  [],
  [[]],
  [null],
  { '@value': 'x' },
  { '@id': 'x' },
];
const TYPES = [
  'ContractRequestMessage',
  'ContractOfferMessage',
  'ContractAgreementMessage',
  'ContractNegotiationEventMessage',
  'TransferRequestMessage',
  'TransferStartMessage',
  'CatalogRequestMessage',
  'dspace:TransferStartMessage',
  'https://w3id.org/dspace/2025/1/TransferCompletionMessage',
  'Agreement',
  'Offer',
];
const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/ld+json',
  'application/json, text/plain',
  'APPLICATION/JSON',
  ';;;',
];
const METHODS = ['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'GET', 'POST', 'PROPFIND', 'M-SEARCH'];
const RANDOM_PATHS = [
  '/',
  '/dsp',
  '/dsp/',
  '//dsp//negotiations//',
  '/dsp/negotiations',
  '/dsp/transfers/',
  '/data/',
  '/data/..%2F..%2Fconnector.sqlite',
  '/management/v1/../v1/assets',
  '/management/v1/%2e%2e/%2e%2e/etc/passwd',
  '/management/v2/assets',
  '/.well-known/',
  '/credentials/presentations/query',
  '/identity/v1/',
  '/%ff%fe',
  '/%',
  '/a?b=%zz',
  `/${'a'.repeat(8000)}`,
];
const RANGES = [
  'bytes=0-0',
  'bytes=-0',
  'bytes=5-2',
  'bytes=0-',
  'bytes=-1',
  'bytes=99999999999999999999-',
  'bytes=0-99999999999999999999',
  'bytes=0-1,2-3,4-5,6-7,8-9,10-11,12-13,14-15',
  `bytes=${Array.from({ length: 500 }, (_, i) => `${i}-${i}`).join(',')}`,
  'bytes=1-1,1-1',
  'items=0-1',
  'bytes=a-b',
  'bytes=',
  'bytes=-',
  'bytes=0x10-0x20',
  'bytes=1e3-2e3',
];

/** A target inside the JSON body, or the body itself when there is none to aim at. */
function aim(d: Draft, index: number): [Bendable, string | number] | undefined {
  const paths = jsonPaths(d.json);
  if (paths.length === 0) return undefined;
  return parentOf(d.json, paths[index % paths.length] as (string | number)[]);
}

function setAt(d: Draft, index: number, value: unknown): void {
  const place = aim(d, index);
  if (place) place[0][place[1]] = value;
  else d.json = value;
}

/** Nesting as raw text: deeper than a recursive serialiser would go. */
function nested(depth: number, kind: 'array' | 'object'): RawJson {
  return kind === 'array'
    ? new RawJson(`${'['.repeat(depth)}0${']'.repeat(depth)}`)
    : new RawJson(`${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`);
}

/** The pids a request may name by mistake: the other fixtures', the counterparty's, random, empty, traversal. */
function wrongPids(f: Fixtures): string[] {
  return [
    f.finalized.consumerPid,
    f.pending.providerPid,
    f.started.consumerPid,
    f.suspended.providerPid,
    f.agreementId,
    `urn:uuid:${randomUUID()}`,
    randomUUID(),
    '',
    '..',
    '../../etc/passwd',
    '%2e%2e%2f%2e%2e%2f',
    'x'.repeat(5000),
    '\ud800',
    ' ',
  ];
}

const mutations: fc.Arbitrary<[string, Mutation]>[] = [
  fc.nat().map((i) => [
    'drop-field',
    (d) => {
      const place = aim(d, i);
      if (place) {
        if (Array.isArray(place[0])) (place[0] as unknown[]).splice(Number(place[1]), 1);
        else delete place[0][place[1]];
      } else d.json = undefined;
    },
  ]),
  fc.tuple(fc.nat(), fc.constantFrom(...ODD_VALUES, 'other')).map(([i, v]) => [
    'duplicate-field',
    (d) => {
      const place = aim(d, i);
      if (place && !Array.isArray(place[0])) {
        const list = (place[0][DUPLICATES] as [string, unknown][] | undefined) ?? [];
        list.push([String(place[1]), v]);
        place[0][DUPLICATES] = list;
      }
    },
  ]),
  fc
    .tuple(fc.nat(), fc.constantFrom(...ODD_VALUES))
    .map(([i, v]) => ['retype-field', (d) => setAt(d, i, cloneJson(v))]),
  fc.constantFrom(...TYPES, 'Nonsense', '', 42).map((t) => [
    'wrong-type',
    (d) => {
      if (d.json !== null && typeof d.json === 'object' && !Array.isArray(d.json))
        (d.json as Bendable)['@type'] = t;
    },
  ]),
  fc
    .tuple(fc.nat(), fc.constantFrom(10_000, 200_000, 300_000))
    .map(([i, n]) => ['huge-string', (d) => setAt(d, i, 'x'.repeat(n))]),
  fc
    .tuple(fc.nat(), fc.constantFrom(1_000, 50_000))
    .map(([i, n]) => ['huge-array', (d) => setAt(d, i, new Array(n).fill('a'))]),
  fc
    .tuple(fc.nat(), fc.constantFrom(64, 1_000, 20_000), fc.constantFrom('array' as const, 'object' as const))
    .map(([i, n, k]) => ['deep-nesting', (d) => setAt(d, i, nested(n, k))]),
  fc.tuple(fc.nat(), fc.constantFrom(...ODD_STRINGS), fc.boolean()).map(([i, s, append]) => [
    'odd-unicode',
    (d) => {
      const place = aim(d, i);
      const current = place ? place[0][place[1]] : undefined;
      setAt(d, i, append && typeof current === 'string' ? current + s : s);
    },
  ]),
  fc
    .tuple(fc.nat(), fc.constantFrom(...ODD_NUMBERS))
    .map(([i, n]) => ['number-out-of-range', (d) => setAt(d, i, new RawJson(n))]),
  fc.tuple(fc.nat(), fc.nat(), fc.boolean()).map(([i, j, inPath]) => [
    'wrong-pid',
    (d, f) => {
      const wrong = wrongPids(f)[j % wrongPids(f).length] as string;
      if (inPath) {
        const segments = d.path.split('/');
        const ids = segments.map((s, k) => [s, k] as const).filter(([s]) => /urn|%3A|[0-9a-f]{8}-/i.test(s));
        const pick = ids[i % Math.max(ids.length, 1)];
        if (pick) segments[pick[1]] = encodeSegment(wrong);
        d.path = segments.join('/');
      } else if (d.json !== null && typeof d.json === 'object' && !Array.isArray(d.json)) {
        (d.json as Bendable)[i % 2 === 0 ? 'consumerPid' : 'providerPid'] = wrong;
      }
    },
  ]),
  fc
    .tuple(fc.nat(), fc.constantFrom('truncate', 'garbage', 'not-json', 'empty', 'bom', 'nul'))
    .map(([i, how]) => [
      'bad-json',
      (d) => {
        const text = d.raw ?? jsonText(d.json ?? {});
        d.raw =
          how === 'truncate'
            ? text.slice(0, i % Math.max(text.length, 1))
            : how === 'garbage'
              ? `${text}}]garbage`
              : how === 'not-json'
                ? "{'single': quotes, trailing: [1,2,],}"
                : how === 'empty'
                  ? ''
                  : how === 'bom'
                    ? `\ufeff${text}`
                    : text.replace(/,/, ',\u0000');
        if (d.method === 'GET') d.method = 'POST';
      },
    ]),
  fc.constantFrom(...CONTENT_TYPES, null).map((t) => [
    'content-type',
    (d) => {
      d.contentType = t;
    },
  ]),
  fc.constantFrom(300_000, 2_000_000).map((n) => [
    'oversized-body',
    (d) => {
      d.raw = `{"@type":"x","pad":"${'p'.repeat(n)}"}`;
      if (d.method === 'GET') d.method = 'POST';
    },
  ]),
  fc
    .constantFrom<Auth>(
      'none',
      'provider',
      'garbage',
      'expired',
      'stranger',
      'alg-none',
      'basic',
      'management',
      'other-management',
      'edr',
      'other-edr',
      'consumer',
    )
    .map((a) => [
      'auth',
      (d) => {
        d.auth = a;
      },
    ]),
  fc.constantFrom(20_000, 70_000).map((n) => [
    'oversized-header',
    (d) => {
      d.headers['x-fuzz'] = 'h'.repeat(n);
    },
  ]),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom(
        ...ODD_STRINGS.map(encodeSegment),
        '..',
        '%2e%2e',
        '.%2F.',
        '%252e%252e%252f',
        '..;',
        '%c0%ae%c0%ae',
      ),
    )
    .map(([i, s]) => [
      'path-traversal',
      (d) => {
        const [path, query] = d.path.split('?');
        const segments = (path as string).split('/');
        const k = 1 + (i % Math.max(segments.length - 1, 1));
        segments[k] = `${s}${i % 3 === 0 ? `/${segments[k] ?? ''}` : ''}`;
        d.path = segments.join('/') + (query !== undefined ? `?${query}` : '');
      },
    ]),
  fc.constantFrom(...METHODS).map((m) => [
    'method',
    (d) => {
      d.method = m;
    },
  ]),
  fc.constantFrom(...RANDOM_PATHS).map((p) => [
    'random-path',
    (d) => {
      d.path = p;
    },
  ]),
  fc
    .tuple(
      fc.constantFrom(...RANGES),
      fc.constantFrom(undefined, '"nope"', 'Wed, 21 Oct 2015 07:28:00 GMT', ''),
    )
    .map(([r, ifRange]) => [
      'range',
      (d) => {
        d.headers.range = r;
        if (ifRange !== undefined) d.headers['if-range'] = ifRange;
      },
    ]),
  fc
    .constantFrom(
      'limit=-1',
      'limit=99999999999',
      'limit=abc',
      'offset=-5',
      'role=admin',
      'state=NOPE',
      'role[]=provider&role[x]=y',
      'state=REQUESTED&state=FINALIZED',
      'waitFor=NOPE',
      'timeoutMs=5',
      'q=%ff',
      `q=${'q'.repeat(6000)}`,
    )
    .map((q) => [
      'query',
      (d) => {
        d.path += (d.path.includes('?') ? '&' : '?') + q;
      },
    ]),
];

export interface FuzzCase {
  readonly template: number;
  readonly mutations: readonly [string, Mutation][];
}

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  template: fc.nat({ max: TEMPLATES.length - 1 }),
  mutations: fc.array(fc.oneof(...mutations), { minLength: 1, maxLength: 3 }),
});

/** The case's request, with tokens filled in (fresh ones: DSP tokens are single use). */
export async function materialise(c: FuzzCase, w: FuzzWorld): Promise<WireRequest> {
  const [name, template] = TEMPLATES[c.template] as [string, Template];
  const f = w.fixtures;
  const draft: Draft = { ...template(f, w), headers: {}, mutations: [] };
  draft.json = cloneJson(draft.json);
  for (const [mutationName, mutate] of c.mutations) {
    mutate(draft, f, w);
    draft.mutations.push(mutationName);
  }
  const headers: Record<string, string> = { ...draft.headers };
  const token = await tokenFor(draft.auth, draft.target, w);
  if (token !== undefined) headers.authorization = token;
  const body = draft.raw ?? (draft.json !== undefined ? jsonText(draft.json) : undefined);
  const contentType =
    draft.contentType === undefined ? (body !== undefined ? 'application/json' : null) : draft.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  return {
    surface: draft.surface,
    target: draft.target,
    method: draft.method,
    path: draft.path,
    headers,
    ...(body !== undefined ? { body } : {}),
    mutations: [name, ...draft.mutations],
  };
}

async function tokenFor(
  auth: Auth,
  target: 'provider' | 'consumer',
  w: FuzzWorld,
): Promise<string | undefined> {
  const own = target === 'provider' ? w.provider : w.consumer;
  const other = target === 'provider' ? w.consumer : w.provider;
  switch (auth) {
    case 'consumer':
      return `Bearer ${await w.consumerToken()}`;
    case 'provider':
      return `Bearer ${await w.providerToken()}`;
    case 'stranger':
      return `Bearer ${await w.strangerToken()}`;
    case 'expired':
      return `Bearer ${await w.expiredToken()}`;
    case 'management':
      return `Bearer ${own.managementApiKey}`;
    case 'other-management':
      return `Bearer ${other.managementApiKey}`;
    case 'edr':
      return `Bearer ${w.fixtures.started.authorization}`;
    case 'other-edr':
      return `Bearer ${w.fixtures.suspended.authorization}`;
    case 'garbage':
      return 'Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.AAAA';
    case 'alg-none':
      return `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ iss: w.consumer.did, sub: w.consumer.did, aud: w.provider.did, exp: 9999999999 }),
      ).toString('base64url')}.`;
    case 'basic':
      return `Basic ${Buffer.from('admin:admin').toString('base64')}`;
    case 'none':
      return undefined;
  }
}
