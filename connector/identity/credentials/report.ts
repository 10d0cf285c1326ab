// Offline verification with a step-by-step report, for `shuyu credential verify`: which checks ran, which
// passed, which were skipped for lack of input (trust list, DID documents, status lists) and which failed
// and why. It drives the same verifyCredential / verifyPresentationJwt the connector uses on the wire.
import { systemClock, type Clock } from '../clock.js';
import { createDidResolver } from '../did/resolver.js';
import { didWebToUrl } from '../did/web.js';
import { IdentityError } from '../errors.js';
import type { FetchLike, FetchResponseLike } from '../net/fetch.js';
import { verifyPresentationJwt } from '../presentation/verify.js';
import { createStatusListChecker, type StatusChecker } from '../status-list/checker.js';
import { decodeJwt } from '../util/jwt.js';
import { parseSecuredCredential } from './parse.js';
import { verifyCredential } from './verify.js';

export type CheckOutcome = 'passed' | 'failed' | 'skipped' | 'not-reached';

export interface CheckResult {
  readonly check: string;
  readonly outcome: CheckOutcome;
  readonly detail: string;
}

export interface CredentialReport {
  readonly kind: 'credential';
  readonly valid: boolean;
  readonly format?: string;
  readonly type?: string;
  readonly issuer?: string;
  readonly subject?: string;
  readonly checks: CheckResult[];
  /** The failure's stable code, when invalid. */
  readonly code?: string;
}

export interface PresentationReport {
  readonly kind: 'presentation';
  readonly valid: boolean;
  readonly holder?: string;
  readonly checks: CheckResult[];
  readonly code?: string;
  readonly credentials: CredentialReport[];
}

export interface OfflineVerificationInput {
  /** DID documents for did:web issuers and holders (did:key needs none). */
  didDocuments?: readonly Record<string, unknown>[];
  /** Signed status list credentials (vc+jwt strings or secured JSON), matched by their id / URL. */
  statusLists?: readonly (string | Record<string, unknown>)[];
  /** Trusted issuer DIDs; when empty, the issuer is not judged and the report says so. */
  trustedIssuers?: readonly string[];
  clock?: Clock;
}

const STEPS = [
  'parse',
  'contexts and schema',
  'issuer trusted',
  'validity period',
  'signature',
  'status',
] as const;
type Step = (typeof STEPS)[number];

function stepOf(code: string): Step {
  if (code === 'ERR_INPUT_MALFORMED' || code === 'ERR_INPUT_TOO_LARGE') return 'parse';
  if (code === 'ERR_CONTEXT_NOT_ALLOWED' || code === 'ERR_CREDENTIAL_TYPE_UNSUPPORTED')
    return 'contexts and schema';
  if (code === 'ERR_CREDENTIAL_SCHEMA_INVALID') return 'contexts and schema';
  if (code === 'ERR_CREDENTIAL_ISSUER_UNTRUSTED') return 'issuer trusted';
  if (code === 'ERR_CREDENTIAL_EXPIRED' || code === 'ERR_CREDENTIAL_NOT_YET_VALID') return 'validity period';
  if (code.startsWith('ERR_CREDENTIAL_STATUS') || code === 'ERR_CREDENTIAL_REVOKED') return 'status';
  if (code === 'ERR_CREDENTIAL_SUSPENDED' || code.startsWith('ERR_STATUS')) return 'status';
  return 'signature';
}

/** An offline "web": only the documents given are served; any other URL is a failed fetch. */
function offlineFetch(documents: Map<string, { body: string; type: string }>): FetchLike {
  return async (url) => {
    const served = documents.get(url);
    const bytes = new TextEncoder().encode(served?.body ?? 'not available offline');
    const response: FetchResponseLike = {
      status: served ? 200 : 404,
      headers: {
        get: (name) => (name.toLowerCase() === 'content-type' ? (served?.type ?? 'text/plain') : null),
      },
      body: null,
      arrayBuffer: async () =>
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    };
    return response;
  };
}

function statusListId(list: string | Record<string, unknown>): string | undefined {
  if (typeof list !== 'string') return typeof list.id === 'string' ? list.id : undefined;
  try {
    const { payload } = decodeJwt(list, 'Status list', 256 * 1024);
    return typeof payload.id === 'string' ? payload.id : undefined;
  } catch {
    return undefined;
  }
}

interface Verifiers {
  readonly resolver: ReturnType<typeof createDidResolver>;
  readonly statusChecker: StatusChecker;
  readonly statusSkipped: () => boolean;
}

function offlineVerifiers(input: OfflineVerificationInput, clock: Clock): Verifiers {
  const documents = new Map<string, { body: string; type: string }>();
  for (const doc of input.didDocuments ?? []) {
    if (typeof doc.id === 'string' && doc.id.startsWith('did:web:')) {
      documents.set(didWebToUrl(doc.id, { allowHttpForLoopback: true }).href, {
        body: JSON.stringify(doc),
        type: 'application/did+json',
      });
    }
  }
  const listUrls = new Set<string>();
  for (const list of input.statusLists ?? []) {
    const id = statusListId(list);
    if (!id) continue;
    listUrls.add(id);
    documents.set(id, {
      body: typeof list === 'string' ? list : JSON.stringify(list),
      type: typeof list === 'string' ? 'application/vc+jwt' : 'application/vc+ld+json',
    });
  }
  const fetch = offlineFetch(documents);
  const hostPolicy = { allow: '*' as const, allowHttpForLoopback: true };
  const resolver = createDidResolver({ fetch, hostPolicy, clock });
  const real = createStatusListChecker({ fetch, hostPolicy, resolver, clock });
  let skipped = false;
  const statusChecker: StatusChecker = {
    async check(target) {
      const entries = Array.isArray(target.credentialStatus)
        ? target.credentialStatus
        : [target.credentialStatus];
      // Check the entries whose lists were given; say "skipped" if any could not be checked.
      const given = entries.filter((entry) => {
        const url = (entry as { statusListCredential?: unknown }).statusListCredential;
        return typeof url === 'string' && listUrls.has(url);
      });
      if (given.length < entries.length) skipped = true;
      if (given.length > 0) await real.check({ ...target, credentialStatus: given });
    },
  };
  return { resolver, statusChecker, statusSkipped: () => skipped };
}

/** Verifies one credential offline and reports every check. Never throws for bad input. */
export async function verifyCredentialOffline(
  input: unknown,
  options: OfflineVerificationInput = {},
): Promise<CredentialReport> {
  const clock = options.clock ?? systemClock;
  const verifiers = offlineVerifiers(options, clock);
  let parsed: ReturnType<typeof parseSecuredCredential> | undefined;
  try {
    parsed = parseSecuredCredential(input, 64 * 1024);
  } catch {
    parsed = undefined;
  }
  const description = {
    ...(parsed
      ? { format: parsed.format === 'jwt' ? 'vc+jwt (VC-JOSE)' : 'Data Integrity (eddsa-rdfc-2022)' }
      : {}),
    ...(parsed ? { issuer: parsed.issuer } : {}),
    ...(parsed && Array.isArray(parsed.credential.type)
      ? { type: (parsed.credential.type as unknown[]).filter((t) => t !== 'VerifiableCredential').join(', ') }
      : {}),
    ...(parsed &&
    typeof (parsed.credential.credentialSubject as { id?: unknown } | undefined)?.id === 'string'
      ? { subject: (parsed.credential.credentialSubject as { id: string }).id }
      : {}),
  };
  const trusted = options.trustedIssuers ?? [];
  const trustList =
    trusted.length > 0 ? trusted.map((did) => ({ did })) : parsed ? [{ did: parsed.issuer }] : [];
  try {
    const verified = await verifyCredential(input, {
      resolver: verifiers.resolver,
      statusChecker: verifiers.statusChecker,
      trustList,
      clock,
      maxCredentialBytes: 64 * 1024,
    });
    const period = `${verified.validFrom?.toISOString() ?? 'no start'} until ${verified.validUntil?.toISOString() ?? 'no end'}`;
    const checks: CheckResult[] = [
      { check: 'parse', outcome: 'passed', detail: description.format ?? '' },
      { check: 'contexts and schema', outcome: 'passed', detail: `a valid ${verified.type}` },
      trusted.length > 0
        ? { check: 'issuer trusted', outcome: 'passed', detail: `${verified.issuer} is in the trust list` }
        : { check: 'issuer trusted', outcome: 'skipped', detail: 'no trust list given (--trust DID)' },
      { check: 'validity period', outcome: 'passed', detail: period },
      { check: 'signature', outcome: 'passed', detail: `signed by ${verified.issuer}` },
      verified.credential.credentialStatus === undefined
        ? { check: 'status', outcome: 'passed', detail: 'the credential has no status entry' }
        : verifiers.statusSkipped()
          ? {
              check: 'status',
              outcome: 'skipped',
              detail: 'not every status list was given (--status-list FILE)',
            }
          : { check: 'status', outcome: 'passed', detail: 'neither revoked nor suspended' },
    ];
    return { kind: 'credential', valid: true, ...description, checks };
  } catch (error) {
    if (!(error instanceof IdentityError)) throw error;
    const failedStep = stepOf(error.code);
    const failedAt = STEPS.indexOf(failedStep);
    const checks = STEPS.map((check, i): CheckResult => {
      if (i < failedAt) {
        if (check === 'issuer trusted' && trusted.length === 0) {
          return { check, outcome: 'skipped', detail: 'no trust list given (--trust DID)' };
        }
        return { check, outcome: 'passed', detail: '' };
      }
      if (i === failedAt) return { check, outcome: 'failed', detail: error.message };
      return { check, outcome: 'not-reached', detail: '' };
    });
    return { kind: 'credential', valid: false, ...description, checks, code: error.code };
  }
}

/**
 * Verifies a presentation (vp+jwt) offline: its signature by the holder, then every credential in it and
 * that each is about the holder. Audience and nonce are reported, not judged (only a live verifier knows
 * what to expect).
 */
export async function verifyPresentationOffline(
  input: string,
  options: OfflineVerificationInput = {},
): Promise<PresentationReport> {
  const clock = options.clock ?? systemClock;
  const verifiers = offlineVerifiers(options, clock);
  let holder: string | undefined;
  try {
    const { payload } = decodeJwt(input, 'Presentation JWT', 64 * 1024);
    const h = payload.holder;
    holder =
      typeof h === 'string'
        ? h
        : typeof (h as { id?: unknown })?.id === 'string'
          ? (h as { id: string }).id
          : undefined;
    const audience = typeof payload.aud === 'string' ? payload.aud : '';
    const nonce = typeof payload.nonce === 'string' ? payload.nonce : '';
    const presentation = await verifyPresentationJwt(input, {
      resolver: verifiers.resolver,
      holder: holder ?? '',
      audience,
      nonce,
      clock,
      maxBytes: 64 * 1024,
    });
    const credentials: CredentialReport[] = [];
    for (const credential of presentation.credentials) {
      const report = await verifyCredentialOffline(credential, options);
      if (report.valid && report.subject !== presentation.holder) {
        credentials.push({
          ...report,
          valid: false,
          code: 'ERR_PRESENTATION_SUBJECT_MISMATCH',
          checks: [
            ...report.checks,
            { check: 'subject is the holder', outcome: 'failed', detail: `about ${report.subject ?? '?'}` },
          ],
        });
      } else credentials.push(report);
    }
    const checks: CheckResult[] = [
      {
        check: 'presentation signature',
        outcome: 'passed',
        detail: `signed by the holder ${presentation.holder}`,
      },
      {
        check: 'audience and nonce',
        outcome: 'skipped',
        detail: `audience ${audience || '(none)'}, nonce ${nonce || '(none)'}`,
      },
      {
        check: 'credentials',
        outcome: credentials.every((c) => c.valid) ? 'passed' : 'failed',
        detail: `${credentials.filter((c) => c.valid).length} of ${credentials.length} valid`,
      },
    ];
    return {
      kind: 'presentation',
      valid: credentials.every((c) => c.valid),
      holder: presentation.holder,
      checks,
      credentials,
    };
  } catch (error) {
    if (!(error instanceof IdentityError)) throw error;
    return {
      kind: 'presentation',
      valid: false,
      ...(holder ? { holder } : {}),
      checks: [{ check: 'presentation signature', outcome: 'failed', detail: error.message }],
      code: error.code,
      credentials: [],
    };
  }
}
