// Findings the fuzzer caught that the hardening work (issue 17) fixed; both fixes have landed. Kept so that
// `--skip-known` can still count them apart when fuzzing an older build; `npm test` no longer skips them.
import type { KnownFinding } from '../http.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const HARDENING_FINDINGS: readonly KnownFinding[] = [
  {
    // hardening: encodeURIComponent in the peer URL builder throws on a lone surrogate.
    name: 'hardening: lone UTF-16 surrogate in datasetId of POST /management/v1/negotiations answers 500',
    matches: (req, outcome, kind) => {
      if (kind !== '5xx' || req.method !== 'POST' || !req.path.startsWith('/management/v1/negotiations'))
        return false;
      try {
        const datasetId = (JSON.parse(req.body ?? '') as { datasetId?: unknown }).datasetId;
        return outcome.status === 500 && typeof datasetId === 'string' && LONE_SURROGATE.test(datasetId);
      } catch {
        return false;
      }
    },
  },
  {
    // hardening: Node's own 431 for headers over its limit goes out before Express, with no body (and
    // far over the limit the socket is closed before the client has read it).
    name: 'hardening: oversized headers answer a bare 431 without a body',
    matches: (req, outcome, kind) =>
      (kind === 'bare-error' && outcome.status === 431) ||
      (kind === 'no-response' && Object.values(req.headers).some((v) => v.length > 16_384)),
  },
];
