// Identity verification throughput under DCP 1.0: a DSP request carries a self-issued ID token with an
// access token; the verifier queries the caller's Credential Service (real HTTP on 127.0.0.1) for a
// presentation of two JWT credentials (membership + sector, each with a revocation and a suspension
// status entry). Measured: uncached (Credential Service query over loopback, presentation and every
// credential verified; DID documents and status lists already cached) and cached (claims cache hit:
// ID token signature, claims and replay only), beside one raw Ed25519 verification in the same run; and the
// cached DSP path, whose scopes come from the request's policy (a lookup function, answered by the wider
// cache entry).

import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJsonApp } from '../connector/http/json-app.js';
import { listen } from '../connector/http/server.js';
import {
  StatusListAuthority,
  buildDidDocument,
  createCredentialService,
  createDcpVerifier,
  createDidResolver,
  createDidSigner,
  createSecureTokenService,
  createStatusListChecker,
  didWebToUrl,
  InMemoryReplayCache,
  issueCredential,
  openKeyStore,
  urlToDidWeb,
  type CredentialClaims,
  type DidService,
  type HeldCredential,
  type KeyStore,
  type RequestVerifier,
} from '../connector/identity/index.js';
import { MEMBERSHIP_SCOPES } from '../connector/identity/dcp/policy-scopes.js';
import { formatRate, measure, measureAsyncMedian, ratio, type Rate } from './harness.js';

const HOST_POLICY = { allow: ['127.0.0.1'], allowHttpForLoopback: true };

async function world() {
  const documents = new Map<string, string>();
  const app = createJsonApp();
  app.use((req, res, next) => {
    const body = documents.get(req.path);
    if (body === undefined) next();
    else res.type('application/json').send(body);
  });
  const server = await listen(app, { host: '127.0.0.1', port: 0 });
  const dirs: string[] = [];
  async function party(name: string, services: DidService[] = []) {
    const dir = await mkdtemp(join(tmpdir(), 'shuyu-bench-'));
    dirs.push(dir);
    const did = urlToDidWeb(`${server.url}/${name}`);
    const keys: KeyStore = await openKeyStore(dir);
    const doc = buildDidDocument({
      did,
      keys: keys.publishedKeys,
      services: services.map((s) => ({ ...s, id: `${did}${s.id}` })),
    });
    documents.set(didWebToUrl(did).pathname, JSON.stringify(doc));
    return { did, keys, signer: createDidSigner(did, keys) };
  }
  const csUrl = `${server.url}/hospital/dcp/v1`;
  const authority = await party('authority');
  const caller = await party('hospital', [
    { id: '#credential-service', type: 'CredentialService', serviceEndpoint: csUrl },
  ]);
  const callee = await party('connector');
  const lists = StatusListAuthority.create({
    issuer: authority.did,
    revocationListUrl: `${server.url}/status/revocation`,
    suspensionListUrl: `${server.url}/status/suspension`,
  });
  const held: HeldCredential[] = [];
  const claimSets: CredentialClaims[] = [
    {
      type: 'MembershipCredential',
      subject: {
        id: caller.did,
        dataSpace: 'did:web:medical-dataspace.example',
        organisationName: 'Beijing Research Hospital',
        registrationNumber: '91440300708461136T',
        role: 'participant',
      },
    },
    {
      type: 'SectorCredential',
      subject: { id: caller.did, sector: 'medical', sectorRoles: ['hospital'] },
    },
  ];
  for (const claims of claimSets) {
    const issued = await issueCredential({
      claims,
      signer: authority.signer,
      format: 'jwt',
      credentialStatus: lists.allocate().credentialStatus,
    });
    if (issued.format !== 'jwt') throw new Error('expected a vc+jwt');
    held.push({ id: `urn:bench:${claims.type}`, type: claims.type, credential: issued.jwt });
  }
  for (const purpose of ['revocation', 'suspension'] as const) {
    const list = await lists.issueListCredential(purpose, authority.signer);
    documents.set(
      new URL(lists.listUrl(purpose)).pathname,
      typeof list === 'string' ? list : JSON.stringify(list),
    );
  }

  const resolver = createDidResolver({ hostPolicy: HOST_POLICY, fetch: globalThis.fetch as never });
  const statusChecker = createStatusListChecker({
    fetch: globalThis.fetch as never,
    hostPolicy: HOST_POLICY,
    resolver,
  });
  const credentialService = createCredentialService({
    did: caller.did,
    signer: () => caller.signer,
    ownKeys: () => caller.keys.publishedKeys,
    credentials: async () => held,
    resolver,
    replayCache: new InMemoryReplayCache(),
  });
  app.use('/hospital/dcp/v1', credentialService.router);
  const sts = createSecureTokenService({ signer: () => caller.signer });
  return {
    verifier: (cached: boolean): RequestVerifier =>
      createDcpVerifier({
        ourDid: callee.did,
        signer: () => callee.signer,
        resolver,
        statusChecker,
        hostPolicy: HOST_POLICY,
        trustList: [{ did: authority.did }],
        ...(cached ? {} : { claimsCache: false }),
      }),
    tokens: async (count: number) => {
      const out: string[] = [];
      for (let i = 0; i < count; i += 1) out.push(await sts.tokenFor(callee.did));
      return out;
    },
    cleanup: async () => {
      await server.close();
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

type World = Awaited<ReturnType<typeof world>>;

async function verifications(w: World, name: string, cached: boolean, count: number) {
  const verifier = w.verifier(cached);
  const tokens = await w.tokens(count + 21);
  await verifier.verify(tokens.pop() as string); // fills DID, status-list (and, if on, claims) caches
  let next = 0;
  // Median of 10 batches, the statistic the raw baseline uses too.
  return measureAsyncMedian(name, () => verifier.verify(tokens[next++] as string), count);
}

export async function run(): Promise<void> {
  console.log(
    '\nidentity: DCP request (ID token + access token), presentation of 2 JWT credentials with 2 status entries each',
  );
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const data = Buffer.alloc(256, 7);
  const signature = sign(null, data, privateKey);
  const raw = measure('raw Ed25519 verify (node:crypto, 256 bytes)', () =>
    verify(null, data, publicKey, signature),
  );

  const w = await world();
  try {
    const uncached = await verifications(
      w,
      'uncached: CS query over loopback + VP + 2 credentials (CS side: 2 sig checks + VP signing)',
      false,
      300,
    );
    // Cached and raw alternate in rounds, so a busy neighbour slows both sides of each ratio alike.
    const verifier = w.verifier(true);
    const tokens = await w.tokens(6 * 1100);
    await verifier.verify(tokens.pop() as string); // fills the DID, status-list and claims caches
    let next = 0;
    const rounds: { raw: Rate; cached: Rate }[] = [];
    for (let round = 0; round < 5; round++) {
      const rawRound = measure(raw.name, () => verify(null, data, publicKey, signature), 0.3);
      const cached = await measureAsyncMedian(
        'cached claims: ID token signature + replay',
        () => verifier.verify(tokens[next++] as string),
        1000,
      );
      rounds.push({ raw: rawRound, cached });
    }
    const fromPolicy = await measureAsyncMedian(
      'cached, scopes from the policy (DSP path: async lookup, membership only)',
      () => verifier.verify(tokens[next++] as string, async () => MEMBERSHIP_SCOPES),
      1000,
    );
    const ratios = rounds.map((r) => r.raw.perSecond / r.cached.perSecond).sort((a, b) => a - b);
    const median = rounds.map((r) => r.cached).sort((a, b) => a.perSecond - b.perSecond)[2] as Rate;
    console.log(formatRate(raw));
    console.log(`${formatRate(uncached)}  ${ratio(uncached, raw)}`);
    console.log(
      `${formatRate(median)}  ${(ratios[2] as number).toFixed(2)}x the baseline's cost ` +
        `(median of 5 alternating rounds; range ${(ratios[0] as number).toFixed(2)}–${(ratios[4] as number).toFixed(2)}x)`,
    );
    console.log(`${formatRate(fromPolicy)}  ${ratio(fromPolicy, rounds[4]?.raw ?? raw)}`);
    console.log(`cached vs uncached: ${(median.perSecond / uncached.perSecond).toFixed(1)}x faster`);
  } finally {
    await w.cleanup();
  }
}
