// Identity verification throughput: a DSP request token carrying a presentation with two credentials
// (membership + sector, each with a revocation and suspension status), verified uncached (every credential
// checked; DID documents and status lists already cached) and cached (claims cache hit: token, replay and
// presentation checks only), for JWT and Data Integrity credentials, beside one raw Ed25519 verification
// (node:crypto) measured in the same run. DID documents and status lists are served in memory.

import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StatusListAuthority,
  buildDidDocument,
  createDidResolver,
  createDidSigner,
  createRequestToken,
  createRequestVerifier,
  createStatusListChecker,
  didWebToUrl,
  issueCredential,
  openKeyStore,
  urlToDidWeb,
  type CredentialFormat,
  type DidSigner,
  type FetchLike,
  type RequestVerifierOptions,
} from '../connector/identity/index.js';
import { formatRate, measure, measureAsync, ratio } from './harness.js';

const HOST_POLICY = { allow: ['*.example'] };

interface World {
  verifierOptions: (claimsCache: boolean) => RequestVerifierOptions;
  tokens: (count: number, credentials: Array<string | Record<string, unknown>>) => Promise<string[]>;
  credentials: (format: CredentialFormat) => Promise<Array<string | Record<string, unknown>>>;
  cleanup: () => Promise<void>;
}

async function world(): Promise<World> {
  const documents = new Map<string, string>();
  const fetch: FetchLike = async (url) => {
    const body = new TextEncoder().encode(documents.get(url) ?? '');
    return {
      status: documents.has(url) ? 200 : 404,
      headers: { get: () => null },
      body: null,
      arrayBuffer: async () =>
        body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    };
  };
  const dirs: string[] = [];
  async function party(host: string): Promise<DidSigner> {
    const dir = await mkdtemp(join(tmpdir(), 'shuyu-bench-'));
    dirs.push(dir);
    const did = urlToDidWeb(`https://${host}`);
    const keys = await openKeyStore(dir);
    documents.set(didWebToUrl(did).href, JSON.stringify(buildDidDocument({ did, keys: keys.publishedKeys })));
    return createDidSigner(did, keys);
  }
  const authority = await party('authority.example');
  const caller = await party('hospital.example');
  const callee = await party('connector.example');
  const lists = StatusListAuthority.create({
    issuer: authority.did,
    revocationListUrl: 'https://authority.example/status/revocation',
    suspensionListUrl: 'https://authority.example/status/suspension',
  });

  const credentials = async (format: CredentialFormat) => {
    const membership = await issueCredential({
      claims: {
        type: 'MembershipCredential',
        subject: {
          id: caller.did,
          dataSpace: 'did:web:medical-dataspace.example',
          organisationName: 'Beijing Research Hospital',
          registrationNumber: '91440300708461136T',
          role: 'participant',
        },
      },
      signer: authority,
      format,
      credentialStatus: lists.allocate().credentialStatus,
    });
    const sector = await issueCredential({
      claims: {
        type: 'SectorCredential',
        subject: { id: caller.did, sector: 'medical', sectorRoles: ['hospital'] },
      },
      signer: authority,
      format,
      credentialStatus: lists.allocate().credentialStatus,
    });
    for (const purpose of ['revocation', 'suspension'] as const) {
      const list = await lists.issueListCredential(purpose, authority);
      documents.set(lists.listUrl(purpose), typeof list === 'string' ? list : JSON.stringify(list));
    }
    return [membership, sector].map((issued) => (issued.format === 'jwt' ? issued.jwt : issued.credential));
  };

  const resolver = createDidResolver({ fetch, hostPolicy: HOST_POLICY });
  const statusChecker = createStatusListChecker({ fetch, hostPolicy: HOST_POLICY, resolver });
  return {
    verifierOptions: (claimsCache) => ({
      ourDid: callee.did,
      resolver,
      statusChecker,
      trustList: [{ did: authority.did }],
      ...(claimsCache ? {} : { claimsCache: false }),
    }),
    tokens: async (count, creds) => {
      const out: string[] = [];
      for (let i = 0; i < count; i += 1) {
        out.push(await createRequestToken({ signer: caller, audience: callee.did, credentials: creds }));
      }
      return out;
    },
    credentials,
    cleanup: async () => {
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

async function verifications(
  w: World,
  name: string,
  format: CredentialFormat,
  cached: boolean,
  count: number,
) {
  const creds = await w.credentials(format);
  const verifier = createRequestVerifier(w.verifierOptions(cached));
  const tokens = await w.tokens(count + 21, creds);
  await verifier.verify(tokens.pop() as string); // fills DID, status-list (and, if on, claims) caches
  let next = 0;
  return measureAsync(name, () => verifier.verify(tokens[next++] as string), count);
}

export async function run(): Promise<void> {
  console.log(
    '\nidentity: DSP request token with a presentation of 2 credentials (each with 2 status entries)',
  );
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const data = Buffer.alloc(256, 7);
  const signature = sign(null, data, privateKey);
  const raw = measure('raw Ed25519 verify (node:crypto, 256 bytes)', () =>
    verify(null, data, publicKey, signature),
  );

  const w = await world();
  try {
    const jwtUncached = await verifications(
      w,
      'JWT credentials, uncached (4 signatures + 2 status checks)',
      'jwt',
      false,
      1500,
    );
    const jwtCached = await verifications(
      w,
      'JWT credentials, cached claims (2 signatures + replay)',
      'jwt',
      true,
      3000,
    );
    const diUncached = await verifications(
      w,
      'Data Integrity credentials, uncached',
      'data-integrity',
      false,
      150,
    );
    const diCached = await verifications(
      w,
      'Data Integrity credentials, cached claims',
      'data-integrity',
      true,
      2000,
    );
    console.log(formatRate(raw));
    for (const rate of [jwtUncached, jwtCached, diUncached, diCached])
      console.log(`${formatRate(rate)}  ${ratio(rate, raw)}`);
    console.log(
      `cached vs uncached: JWT ${(jwtCached.perSecond / jwtUncached.perSecond).toFixed(1)}x faster, ` +
        `Data Integrity ${(diCached.perSecond / diUncached.perSecond).toFixed(1)}x faster; ` +
        `uncached JWT vs Data Integrity: ${(jwtUncached.perSecond / diUncached.perSecond).toFixed(1)}x`,
    );
  } finally {
    await w.cleanup();
  }
}
