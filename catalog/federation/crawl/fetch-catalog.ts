// Reads one provider's whole DSP catalog: POST a CatalogRequestMessage to <connectorUrl>/catalog/request
// with a fresh request token (tokens are single-use), follow `Link: <…>; rel="next"` while the provider
// paginates, and validate every page against the DSP Catalog schema. Bounded everywhere: time per
// page, bytes per page, pages and datasets per provider; next links must stay on the provider's origin
// (a catalog cannot send the crawler, and its token, somewhere else).
import { assertFetchAllowed, type HostPolicy } from '../../../connector/identity/index.js';
import { readBodyBounded } from '../../../connector/identity/net/fetch.js';
import {
  buildCatalogRequestMessage,
  parseDspMessage,
  validateDspMessage,
  type JsonObject,
} from '../../../connector/dsp/messages/index.js';
import type { CrawledDataset } from '../types.js';
import { readCompactCatalog } from './compact-read.js';
import { CrawlFailure } from './errors.js';
import { datasetsOf } from './normalise.js';

export interface CatalogFetchLimits {
  /** Per page, connect to last byte. Default 15 s. */
  readonly timeoutMs: number;
  /** Default 32 MiB. */
  readonly maxPageBytes: number;
  /** Default 1000. */
  readonly maxPages: number;
  /** Default 200 000. */
  readonly maxDatasets: number;
}

export const DEFAULT_FETCH_LIMITS: CatalogFetchLimits = {
  timeoutMs: 15_000,
  maxPageBytes: 32 * 1024 * 1024,
  maxPages: 1000,
  maxDatasets: 200_000,
};

export type HttpFetch = typeof globalThis.fetch;

export interface FetchCatalogOptions {
  /** The member's DSP base URL (e.g. https://connector.example/dsp). */
  readonly connectorUrl: string;
  /** The member's DID: the token's audience and the catalog's expected participantId. */
  readonly providerDid: string;
  /** A fresh `Authorization: Bearer` token for the provider. */
  readonly token: () => Promise<string>;
  readonly hostPolicy: HostPolicy;
  readonly limits: CatalogFetchLimits;
  readonly fetch?: HttpFetch;
  /** Aborts the crawl (process shutting down). */
  readonly signal?: AbortSignal;
}

export interface FetchedCatalog {
  readonly datasets: CrawledDataset[];
  readonly pages: number;
  /** Problems that did not stop the crawl (shown in the crawl status). */
  readonly warnings: readonly string[];
}

/** The `rel="next"` target of a Link header (RFC 8288), if any. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/s.exec(part);
    if (!match) continue;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(match[2] ?? '');
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (relations.includes('next')) return match[1];
  }
  return undefined;
}

async function readBounded(response: Response, maxBytes: number, url: string): Promise<string> {
  const tooLarge = (): CrawlFailure =>
    new CrawlFailure('too-large', `${url} answered more than ${maxBytes} bytes for one catalog page.`, false);
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  return Buffer.from(await readBodyBounded(response, maxBytes, tooLarge)).toString('utf8');
}

/** A short reason from a DSP CatalogError or problem+json body, for the crawl status. */
function reasonOf(text: string): string {
  try {
    const body = JSON.parse(text) as { reason?: unknown; detail?: unknown; code?: unknown };
    const reason = Array.isArray(body.reason) ? body.reason.map(String).join('; ') : body.detail;
    if (typeof reason === 'string' && reason !== '') return reason.slice(0, 500);
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 200);
}

function networkFailure(error: unknown, url: string, signal?: AbortSignal): CrawlFailure {
  if (signal?.aborted) return new CrawlFailure('aborted', 'the crawl was stopped', false);
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new CrawlFailure('timeout', `${url} did not answer in time.`, true);
  }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return new CrawlFailure(
    'unreachable',
    `${url} could not be reached (${detail}); check that the member's connector runs and its URL is right.`,
    true,
  );
}

async function fetchPage(
  url: URL,
  options: FetchCatalogOptions,
): Promise<{ catalog: JsonObject; warnings: string[]; next?: string }> {
  let authorization: string;
  try {
    authorization = `Bearer ${await options.token()}`;
  } catch (error) {
    throw new CrawlFailure(
      'identity',
      `the catalog could not sign its request token: ${(error as Error).message}`,
      false,
    );
  }
  const fetch = options.fetch ?? globalThis.fetch;
  const timeout = AbortSignal.timeout(options.limits.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
      body: JSON.stringify(buildCatalogRequestMessage()),
      redirect: 'error',
      signal,
    });
    text = await readBounded(response, options.limits.maxPageBytes, url.href);
  } catch (error) {
    if (error instanceof CrawlFailure) throw error;
    throw networkFailure(error, url.href, options.signal);
  }
  if (response.status !== 200) {
    const retryable = response.status >= 500 || response.status === 429;
    throw new CrawlFailure(
      'http-error',
      `${url.href} answered HTTP ${response.status}: ${reasonOf(text)}`,
      retryable,
      response.status,
    );
  }
  const read = await readCatalog(text, url.href);
  const catalog = read.catalog;
  if (catalog.participantId !== options.providerDid) {
    throw new CrawlFailure(
      'wrong-participant',
      `${url.href} serves the catalog of ${String(catalog.participantId)}, not of ${options.providerDid}; ` +
        'the member registered a connector URL that is not its own.',
      false,
    );
  }
  const next = nextLink(response.headers.get('link'));
  return { catalog, warnings: read.warnings, ...(next === undefined ? {} : { next }) };
}

/**
 * The page as a DSP Catalog. A page already in the compact DSP form is taken as it is (compact-read.ts:
 * Shuyu connectors' pages, without a JSON-LD pass that would return them unchanged). Otherwise
 * parseDspMessage reads any JSON-LD form and refuses keys outside the DSP context (JSON-LD processing
 * would drop them). A catalog whose only fault is such keys inside its policies (ODRL terms the DSP
 * 2025-1 context lacks, such as "conflict" or "refinement" written without the odrl: prefix) is still
 * indexed as sent when it passes the DSP schema: the policy engine reads those terms, and refusing the
 * provider's whole catalog would hide it from everyone. The crawl status says so.
 */
async function readCatalog(text: string, url: string): Promise<{ catalog: JsonObject; warnings: string[] }> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const compact = readCompactCatalog(raw);
  if (compact !== undefined) return { catalog: compact, warnings: [] };
  const parsed = await parseDspMessage('Catalog', text);
  if (parsed.ok) return { catalog: parsed.message as unknown as JsonObject, warnings: [] };
  const describe = (errors: readonly { pointer: string; reason: string }[]): string =>
    errors
      .slice(0, 3)
      .map((e) => `${e.pointer || '/'} ${e.reason}`)
      .join('; ');
  if (raw !== undefined && validateDspMessage('Catalog', raw).length === 0) {
    const terms = [...new Set(parsed.errors.map((e) => e.pointer.split('/').pop()))].join(', ');
    return {
      catalog: raw as JsonObject,
      warnings: [`the catalog uses terms outside the DSP 2025-1 context (${terms}); indexed as sent`],
    };
  }
  throw new CrawlFailure(
    'invalid-catalog',
    `${url} answered a Catalog that breaks DSP 2025-1: ${describe(parsed.errors)}`,
    false,
  );
}

/** Fetches every page of the provider's catalog. Later pages win for a dataset listed twice. */
export async function fetchCatalog(options: FetchCatalogOptions): Promise<FetchedCatalog> {
  const base = options.connectorUrl.replace(/\/+$/, '');
  let url: URL;
  try {
    url = assertFetchAllowed(options.hostPolicy, `${base}/catalog/request`, 'federated catalog crawl');
  } catch (error) {
    throw new CrawlFailure('not-allowed', (error as Error).message, false);
  }
  const origin = url.origin;
  const seen = new Set<string>();
  const datasets = new Map<string, CrawledDataset>();
  const warnings = new Set<string>();
  let pages = 0;
  for (;;) {
    if (seen.has(url.href)) break; // a provider whose next link loops: stop, keep what was read
    seen.add(url.href);
    const page = await fetchPage(url, options);
    pages++;
    for (const warning of page.warnings) warnings.add(warning);
    for (const dataset of datasetsOf(page.catalog)) datasets.set(dataset.datasetId, dataset);
    if (datasets.size > options.limits.maxDatasets) {
      throw new CrawlFailure(
        'too-large',
        `${options.providerDid} lists more than ${options.limits.maxDatasets} datasets; raise maxDatasets if that is expected.`,
        false,
      );
    }
    if (page.next === undefined) break;
    const next = new URL(page.next, url);
    if (next.origin !== origin) {
      throw new CrawlFailure(
        'invalid-catalog',
        `${url.href} points its next page at another origin (${next.origin}); the crawler follows links on ${origin} only.`,
        false,
      );
    }
    if (pages >= options.limits.maxPages) {
      throw new CrawlFailure(
        'too-large',
        `${options.providerDid} paginates beyond ${options.limits.maxPages} pages; raise maxPages if that is expected.`,
        false,
      );
    }
    url = next;
  }
  return { datasets: [...datasets.values()], pages, warnings: [...warnings] };
}
