// Test fixtures for the identity library: temp key directories, parties with did:web identities, an in-memory
// "web" served to the resolver and status checker through the injected fetch, and a controllable clock.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildDidDocument,
  createDidResolver,
  createDidSigner,
  createStatusListChecker,
  didWebToUrl,
  openKeyStore,
  StatusListAuthority,
  urlToDidWeb,
  type DidResolver,
  type DidSigner,
  type FetchLike,
  type FetchResponseLike,
  type HostPolicy,
  type KeyStore,
  type StatusChecker,
  type VerificationMethodFormat,
} from '../../connector/identity/index.js';

export const T0 = new Date('2026-03-01T08:00:00Z');

export class TestClock {
  current: Date;
  constructor(start: Date = T0) {
    this.current = new Date(start);
  }
  readonly now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const tempDirs: string[] = [];

export async function tempDir(prefix = 'shuyu-identity-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

interface Served {
  body: string;
  contentType: string;
  status: number;
}

/** An in-memory web for the injected fetch; it records every URL asked for. */
export class FakeWeb {
  readonly documents = new Map<string, Served>();
  readonly requests: string[] = [];

  serve(url: string, body: string | object, contentType = 'application/json', status = 200): void {
    this.documents.set(url, {
      body: typeof body === 'string' ? body : JSON.stringify(body),
      contentType,
      status,
    });
  }

  readonly fetch: FetchLike = async (url) => {
    this.requests.push(url);
    const served = this.documents.get(url);
    const status = served?.status ?? 404;
    const bytes = new TextEncoder().encode(served?.body ?? 'not found');
    const response: FetchResponseLike = {
      status,
      headers: {
        get: (name: string) => (name.toLowerCase() === 'content-type' ? (served?.contentType ?? null) : null),
      },
      body: null,
      arrayBuffer: async () =>
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    };
    return response;
  };
}

export interface Party {
  readonly name: string;
  readonly did: string;
  readonly keys: KeyStore;
  signer: DidSigner;
  /** (Re-)publishes the DID document on the fake web from the current key set. */
  publish(format?: VerificationMethodFormat): void;
}

export async function createParty(web: FakeWeb, host: string, clock?: TestClock): Promise<Party> {
  const did = urlToDidWeb(`https://${host}`);
  const keys = await openKeyStore(await tempDir(), clock ? { clock: clock.now } : {});
  const party: Party = {
    name: host,
    did,
    keys,
    signer: createDidSigner(did, keys),
    publish(format) {
      this.signer = createDidSigner(did, keys);
      web.serve(
        didWebToUrl(did).href,
        buildDidDocument({ did, keys: keys.publishedKeys, ...(format ? { format } : {}) }),
      );
    },
  };
  party.publish();
  return party;
}

export const OPEN_POLICY: HostPolicy = { allow: ['*.example'] };

export function resolverFor(web: FakeWeb, clock: TestClock, policy: HostPolicy = OPEN_POLICY): DidResolver {
  return createDidResolver({ fetch: web.fetch, hostPolicy: policy, clock: clock.now });
}

export function statusCheckerFor(web: FakeWeb, clock: TestClock, resolver: DidResolver): StatusChecker {
  return createStatusListChecker({ fetch: web.fetch, hostPolicy: OPEN_POLICY, resolver, clock: clock.now });
}

/** A status list authority for `issuer` whose lists are published on the fake web as vc+jwt. */
export class PublishedStatusLists {
  readonly authority: StatusListAuthority;
  constructor(
    readonly web: FakeWeb,
    readonly issuer: Party,
    readonly clock: TestClock,
  ) {
    const base = `https://${issuer.name}/status`;
    this.authority = StatusListAuthority.create({
      issuer: issuer.did,
      revocationListUrl: `${base}/revocation`,
      suspensionListUrl: `${base}/suspension`,
    });
  }

  async publish(format: 'jwt' | 'data-integrity' = 'jwt'): Promise<void> {
    for (const purpose of ['revocation', 'suspension'] as const) {
      const list = await this.authority.issueListCredential(purpose, this.issuer.signer, {
        format,
        clock: this.clock.now,
      });
      this.web.serve(
        this.authority.listUrl(purpose),
        list,
        typeof list === 'string' ? 'application/vc+jwt' : 'application/vc+ld+json',
      );
    }
  }
}

/** A valid unified social credit code (Tencent's, a public record). */
export const USCC = '91440300708461136T';

export function membershipClaims(holder: string, role: 'participant' | 'catalog' | 'admin' = 'participant') {
  return {
    type: 'MembershipCredential' as const,
    subject: {
      id: holder,
      dataSpace: 'did:web:medical-dataspace.example',
      organisationName: 'Beijing Research Hospital',
      registrationNumber: USCC,
      role,
    },
  };
}

export function sectorClaims(holder: string) {
  return {
    type: 'SectorCredential' as const,
    subject: {
      id: holder,
      sector: 'medical' as const,
      sectorRoles: ['hospital' as const, 'research-institute' as const],
    },
  };
}

export function clearanceClaims(
  holder: string,
  grade: 'general' | 'important' | 'core' | 'JR-L3' = 'important',
) {
  return { type: 'DataGradeClearance' as const, subject: { id: holder, dataGradeClearance: grade } };
}

/** Re-encodes a JWT payload without re-signing (a tampering attacker). */
export function tamperJwtPayload(jwt: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(decoded);
  return `${header}.${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${signature}`;
}

/** Asserts that `promise` rejects with an IdentityError of `code`; returns the error for further checks. */
export async function rejectsWithCode(
  promise: Promise<unknown>,
  code: string,
): Promise<Error & { code: string }> {
  try {
    await promise;
  } catch (error) {
    const actual = (error as { code?: unknown }).code;
    if (actual !== code) {
      throw new Error(`expected ${code}, got ${String(actual)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return error as Error & { code: string };
  }
  throw new Error(`expected rejection with ${code}, but it resolved`);
}

export function throwsWithCode(fn: () => unknown, code: string): Error & { code: string } {
  try {
    fn();
  } catch (error) {
    const actual = (error as { code?: unknown }).code;
    if (actual !== code) {
      throw new Error(`expected ${code}, got ${String(actual)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return error as Error & { code: string };
  }
  throw new Error(`expected ${code} to be thrown`);
}
