// The data space profile: what the operator decides for every member beyond the authority's own credentials,
// kept in the authority's data directory and handed to members at GET /authority/v1/profile (members read it
// when they start verifying, never while verifying a request):
//   profile/trusted-issuers.json   [{ "did": "did:web:ca.example", "credentialTypes": ["MembershipCredential"] }]
//   profile/contexts/index.json    { "<context URL>": "<file name>" } and the context files it names
//   profile/rate-limits.json       what members' connectors allow each counterparty by default
//                                  (connector/http/rate-limit/settings.ts; a member's connector.json wins)
// All are optional; without them members trust the authority alone and the bundled contexts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrustList, readOperatorContextFolder, type TrustList } from '../../connector/identity/index.js';
import { ConfigError } from '../../connector/process/config.js';
import { parseRateLimits, type RateLimitOverrides } from '../../connector/http/rate-limit/index.js';

export const PROFILE_DIR = 'profile';
export const TRUSTED_ISSUERS_FILE = 'trusted-issuers.json';
export const CONTEXTS_DIR = 'contexts';
export const RATE_LIMITS_FILE = 'rate-limits.json';

/** The profile as distributed (JSON). */
export interface DataSpaceProfile {
  /** Issuers members trust beside the authority, per credential type. */
  readonly trustedIssuers: TrustList;
  /** Operator contexts: URL -> JSON-LD context document. */
  readonly contexts: Readonly<Record<string, object>>;
  /** Members' connectors' rate limits for this data space (only when the operator set them). */
  readonly rateLimits?: RateLimitOverrides;
}

export function readDataSpaceProfile(dataDir: string): DataSpaceProfile {
  const dir = join(dataDir, PROFILE_DIR);
  let trustedIssuers: TrustList = [];
  const issuersFile = join(dir, TRUSTED_ISSUERS_FILE);
  try {
    trustedIssuers = parseTrustList(JSON.parse(readFileSync(issuersFile, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`${issuersFile}: ${(error as Error).message}`);
    }
  }
  let contexts: Map<string, object>;
  try {
    contexts = readOperatorContextFolder(join(dir, CONTEXTS_DIR));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const limitsFile = join(dir, RATE_LIMITS_FILE);
  let rateLimits: RateLimitOverrides | undefined;
  try {
    rateLimits = parseRateLimits(JSON.parse(readFileSync(limitsFile, 'utf8')), limitsFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error instanceof ConfigError
        ? error
        : new ConfigError(`${limitsFile}: ${(error as Error).message}`);
    }
  }
  return { trustedIssuers, contexts: Object.fromEntries(contexts), ...(rateLimits ? { rateLimits } : {}) };
}
