// A JSON-LD document loader that serves bundled contexts only and never touches the network: every other URL
// is refused with ERR_CONTEXT_NOT_ALLOWED. This keeps verification offline, deterministic and SSRF-free.
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import { contexts as statusListContexts } from '@digitalbazaar/vc-bitstring-status-list-context';
import didContext from 'did-context';
import { DocumentLoaderError } from '../errors.js';
import { POLICY_CONTEXTS } from '../../../policies/jsonld/document-loader.js';

export const VC_CONTEXT_V2_URL = 'https://www.w3.org/ns/credentials/v2';
export const VC_CONTEXT_V1_URL = 'https://www.w3.org/2018/credentials/v1';
export const ODRL_CONTEXT_URL = 'https://www.w3.org/ns/odrl.jsonld';

export interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: unknown;
}

/** A jsonld.js-compatible loader that can also say, without loading, whether it knows a URL. */
export interface DocumentLoader {
  (url: string): Promise<RemoteDocument>;
  has(url: string): boolean;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function bundled(): Map<string, unknown> {
  const entries: Array<[string, unknown]> = [
    ...credentialsContexts,
    ...dataIntegrityContext.contexts,
    ...multikeyContext.contexts,
    ...didContext.contexts,
    ...statusListContexts,
    // ODRL (both URL schemes), DSP and Shuyu's vocabulary: the very documents the policy engine reads.
    ...POLICY_CONTEXTS,
  ];
  // Private frozen copies: no caller (or jsonld) can alter a bundled context, and the packages' own objects,
  // which other libraries share, are left untouched.
  return new Map(entries.map(([url, document]) => [url, deepFreeze(structuredClone(document))]));
}

// Built once: the documents are immutable, so sharing them between loaders carries no state.
const BUNDLED_CONTEXTS: ReadonlyMap<string, unknown> = bundled();

/** URLs of every context the default loader serves. */
export function bundledContextUrls(): string[] {
  return [...BUNDLED_CONTEXTS.keys()];
}

export interface CreateDocumentLoaderOptions {
  /** Additional contexts (url -> document) another module needs. They may not replace a bundled context. */
  extraContexts?: ReadonlyMap<string, object>;
}

export function createDocumentLoader(options: CreateDocumentLoaderOptions = {}): DocumentLoader {
  const documents = new Map(BUNDLED_CONTEXTS);
  for (const [url, document] of options.extraContexts ?? []) {
    const existing = documents.get(url);
    if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(document)) {
      throw new DocumentLoaderError(
        'ERR_CONTEXT_CONFLICT',
        `Context ${url} is already bundled with different content; an extra context may not replace it.`,
        { details: { url } },
      );
    }
    documents.set(url, deepFreeze(structuredClone(document)));
  }
  const loader = async (url: string): Promise<RemoteDocument> => {
    const document = documents.get(url);
    if (document === undefined) {
      throw new DocumentLoaderError(
        'ERR_CONTEXT_NOT_ALLOWED',
        `JSON-LD context ${String(url).slice(0, 200)} is not bundled with Shuyu and is never fetched; issuers ` +
          'must use the VC 2.0, Data Integrity, Multikey, DID, status list, ODRL or Shuyu contexts, or the ' +
          "data space operator must add the context to the profile's context folder.",
        { details: { url: String(url).slice(0, 200) } },
      );
    }
    return { contextUrl: null, documentUrl: url, document };
  };
  return Object.assign(loader, { has: (url: string) => documents.has(url) });
}
