// The JSON-LD document loader for DSP messages: policies/' bundled loader (DSP 2025-1 with its ODRL
// profile inlined, ODRL, Shuyu) plus the extra context Eclipse EDC peers put on their messages
// (trap 9). Anything else is refused with ContextNotBundledError and never fetched.

import {
  ContextNotBundledError,
  createDocumentLoader,
  POLICY_CONTEXTS,
  type DocumentLoader,
} from '../../../policies/jsonld/document-loader.js';
import edcDspace from '../spec/context/edc-dspace-v0.0.1.json' with { type: 'json' };
import { DSP_CONTEXT_URL } from './types.js';

export const EDC_DSPACE_CONTEXT_URL = 'https://w3id.org/edc/dspace/v0.0.1';
export const DSP_ODRL_PROFILE_URL = 'https://w3id.org/dspace/2025/1/odrl-profile.jsonld';

export const DSP_DOCUMENT_LOADER: DocumentLoader = createDocumentLoader(
  new Map<string, object>([[EDC_DSPACE_CONTEXT_URL, edcDspace]]),
);

/** The inlined DSP 2025-1 context document (`{"@context": {...}}`), for reading its term list. */
export function dspContextDocument(): object {
  const doc = POLICY_CONTEXTS.get(DSP_CONTEXT_URL);
  if (doc === undefined) throw new Error(`policies/jsonld no longer bundles ${DSP_CONTEXT_URL}`);
  return doc;
}

export { ContextNotBundledError, type DocumentLoader };
