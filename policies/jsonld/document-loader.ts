// A JSON-LD document loader that serves bundled contexts only. Shuyu never fetches a context from
// the network: an unknown URL is refused with a clear error (this is also an SSRF guard).

import odrl from './contexts/odrl.json' with { type: 'json' };
import dspace2025 from './contexts/dspace-2025-1.json' with { type: 'json' };
import dspaceOdrlProfile from './contexts/dspace-2025-1-odrl-profile.json' with { type: 'json' };
import dspace2024 from './contexts/dspace-2024-1.json' with { type: 'json' };
import shuyu from './contexts/shuyu-v1.json' with { type: 'json' };
import shuyuDcatAp from './contexts/shuyu-dcat-ap.json' with { type: 'json' };

export const SHUYU_CONTEXT_URL = 'https://w3id.org/shuyu/v1';
export const DSP_CONTEXT_URL = 'https://w3id.org/dspace/2025/1/context.jsonld';
export const ODRL_CONTEXT_URL = 'http://www.w3.org/ns/odrl.jsonld';
/** The DCAT-AP harvest view's context (connector/assets/dcat-ap-harvest.ts): prefixes only. */
export const DCAT_AP_CONTEXT_URL = 'https://w3id.org/shuyu/v1/dcat-ap.jsonld';

/** The contexts policies/ needs: ODRL (both schemes, W3C examples use http), DSP 2025-1 and 2024-1, Shuyu (and its DCAT-AP harvest context). */
export const POLICY_CONTEXTS: ReadonlyMap<string, object> = new Map<string, object>([
  ['http://www.w3.org/ns/odrl.jsonld', odrl],
  ['https://www.w3.org/ns/odrl.jsonld', odrl],
  // The published DSP context @imports its ODRL profile; jsonld.js 9 caches that import wrongly, so
  // the same context with the profile inlined is served instead (see shared/spec/dsp/README.md).
  [DSP_CONTEXT_URL, dspace2025],
  ['https://w3id.org/dspace/2025/1/odrl-profile.jsonld', dspaceOdrlProfile],
  ['https://w3id.org/dspace/2024/1/context.json', dspace2024],
  [SHUYU_CONTEXT_URL, shuyu],
  [DCAT_AP_CONTEXT_URL, shuyuDcatAp],
]);

export interface RemoteDocument {
  contextUrl?: string;
  documentUrl: string;
  document: object;
  /** 'static': jsonld keeps the context resolved in its process-wide cache and never loads it again. */
  tag?: 'static';
}

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

/** Thrown (inside jsonld only) for a URL that is not bundled; its code is stable. */
export class ContextNotBundledError extends Error {
  readonly code = 'ERR_CONTEXT_NOT_BUNDLED';
  constructor(readonly url: string) {
    super(
      `JSON-LD context ${url} is not bundled with Shuyu and is never fetched from the network; use a known context (ODRL, DSP 2025-1, Shuyu) or inline the terms`,
    );
  }
}

/** Creates a loader serving `contexts` (the policy contexts plus any extra ones given). */
export function createDocumentLoader(extra: ReadonlyMap<string, object> = new Map()): DocumentLoader {
  const contexts = new Map([...POLICY_CONTEXTS, ...extra]);
  return async (url: string) => {
    const document = contexts.get(url);
    if (document === undefined) throw new ContextNotBundledError(url);
    // jsonld may annotate what it is given: hand it a copy so the bundled originals stay pristine.
    const loaded: RemoteDocument = {
      contextUrl: undefined,
      documentUrl: url,
      document: structuredClone(document),
    };
    // The policy contexts are the same documents in every loader of the process (the identity loader
    // serves these very objects too): jsonld may resolve them once per process instead of once per
    // expansion (a copy and a context resolution, ~0.3 ms, in every agreement digest). Extra contexts
    // differ per loader, so they stay out of jsonld's process-wide cache.
    if (POLICY_CONTEXTS.get(url) === document) loaded.tag = 'static';
    return loaded;
  };
}
