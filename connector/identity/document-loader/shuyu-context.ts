// Shuyu's JSON-LD vocabulary, one document for credentials and policies: the policy engine's bundled
// context (policies/jsonld/contexts/shuyu-v1.json) is the single source. VC 2.0 has no @vocab, so every claim a
// Shuyu credential carries is defined there (Data Integrity canonicalisation runs in safe mode and fails on
// undefined terms); @protected stops later contexts in a credential from redefining them.
import shuyu from '../../../policies/jsonld/contexts/shuyu-v1.json' with { type: 'json' };
import { SHUYU_CONTEXT_URL } from '../../../policies/jsonld/document-loader.js';

export const SHUYU_CONTEXT_V1_URL = SHUYU_CONTEXT_URL;

export const SHUYU_CONTEXT_V1 = shuyu;
