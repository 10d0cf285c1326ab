// The data space profile: the operator's trusted issuers and JSON-LD contexts, kept in the authority's data
// directory, served to members, and used by every member's verifier. A bad profile stops the authority from
// starting instead of being half applied.
import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDataSpaceProfile } from '../../catalog/authority/profile.js';
import { startAuthority } from '../../catalog/authority/process.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createDocumentLoader,
  issueCredentialJwt,
  openProcessIdentity,
  readOperatorContextFolder,
  SHUYU_CONTEXT_V1_URL,
  type ProcessIdentity,
} from '../../connector/identity/index.js';
import { startConnector } from '../../connector/process/connector.js';
import { request, USCC_B, whoami } from './helpers.js';

/** A did:web party on loopback: an HTTP server serving its DID document. */
async function webParty(keyDir: string): Promise<{ identity: ProcessIdentity; close: () => Promise<void> }> {
  const holder: { identity?: ProcessIdentity } = {};
  const server = createServer((req, res) => {
    const { identity } = holder;
    if (req.url !== '/.well-known/did.json' || !identity) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/did+json' })
      .end(JSON.stringify(identity.didDocument()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const identity = await openProcessIdentity(
    keyDir,
    `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  );
  holder.identity = identity;
  return {
    identity,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const OPERATOR_CONTEXTS = fileURLToPath(
  new URL('../identity/fixtures/vc20/operator-contexts/', import.meta.url),
);
const NATIONAL_CA = 'did:web:ca.example';

describe('authority: data space profile', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shuyu-profile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeProfile(trustedIssuers: unknown, withContexts = true): void {
    mkdirSync(join(dir, 'profile'), { recursive: true });
    writeFileSync(join(dir, 'profile', 'trusted-issuers.json'), JSON.stringify(trustedIssuers));
    if (withContexts) cpSync(OPERATOR_CONTEXTS, join(dir, 'profile', 'contexts'), { recursive: true });
  }

  it('is empty without a profile folder: members trust the authority and the bundled contexts only', () => {
    expect(readDataSpaceProfile(dir)).to.deep.equal({ trustedIssuers: [], contexts: {} });
  });

  it('serves the trusted issuers and the context documents at GET /authority/v1/profile', async () => {
    writeProfile([{ did: NATIONAL_CA, credentialTypes: ['MembershipCredential'] }]);
    const authority = await startAuthority({ dataDir: dir, port: 0 });
    try {
      const answer = await request(`${authority.url}/authority/v1/profile`);
      expect(answer.status).to.equal(200);
      expect(answer.body.trustedIssuers).to.deep.equal([
        { did: NATIONAL_CA, credentialTypes: ['MembershipCredential'] },
      ]);
      const contexts = answer.body.contexts as Record<string, unknown>;
      expect(Object.keys(contexts)).to.include('https://www.w3.org/ns/credentials/examples/v2');
      expect(contexts['https://www.w3.org/ns/credentials/examples/v2']).to.deep.equal({
        '@context': { '@vocab': 'https://www.w3.org/ns/credentials/examples#' },
      });
    } finally {
      await authority.close();
    }
  });

  it('refuses to start with a malformed trusted issuer, naming the file', async () => {
    writeProfile([{ did: 'not a did' }], false);
    try {
      await startAuthority({ dataDir: dir, port: 0 });
      expect.fail('the authority started with a bad profile');
    } catch (error) {
      expect((error as Error).message)
        .to.contain('trusted-issuers.json')
        .and.contain('#0');
    }
  });

  it('lets a connector accept a membership issued by an issuer the profile trusts for memberships', async () => {
    const ca = await webParty(join(dir, 'ca-keys'));
    writeProfile([{ did: ca.identity.did, credentialTypes: ['MembershipCredential'] }]);
    const authority = await startAuthority({ dataDir: dir, port: 0 });
    const connector = await startConnector({
      dataDir: join(dir, 'hospital'),
      port: 0,
      authorityUrl: authority.url,
    });
    // Under DCP the member presents from its own Credential Service: a connector whose wallet holds the
    // CA's credentials.
    const member = await startConnector({
      dataDir: join(dir, 'member'),
      port: 0,
      authorityUrl: authority.url,
    });
    try {
      const credential = (type: string, subject: Record<string, unknown>) =>
        issueCredentialJwt(
          {
            '@context': ['https://www.w3.org/ns/credentials/v2', SHUYU_CONTEXT_V1_URL],
            type: ['VerifiableCredential', type],
            issuer: { id: ca.identity.did, name: { '@value': 'National CA', '@language': 'en' } },
            validFrom: new Date(Date.now() - 60_000).toISOString(),
            credentialSubject: { id: member.did, ...subject },
          },
          ca.identity.signer(),
        );
      const membership = await credential('MembershipCredential', {
        dataSpace: authority.service.dataSpace,
        organisationName: 'Haidian Commercial Bank',
        registrationNumber: USCC_B,
        role: 'participant',
      });
      const token = async (credentials: string[]) => {
        await member.wallet.replaceFromIssuer(
          ca.identity.did,
          credentials.map((jwt, i) => ({
            id: `urn:ca:${i}`,
            type:
              (
                JSON.parse(Buffer.from(String(jwt.split('.')[1]), 'base64url').toString()) as {
                  type: string[];
                }
              ).type.filter((t) => t !== 'VerifiableCredential')[0] ?? 'VerifiableCredential',
            format: 'jwt' as const,
            issuer: ca.identity.did,
            credential: jwt,
            receivedAt: new Date().toISOString(),
          })),
        );
        connector.claimsCache.evict(member.did);
        return member.requestTokenFor(connector.did);
      };
      const accepted = await whoami(connector, await token([membership]));
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
      expect(accepted.body.caller).to.equal(member.did);

      // Trusted for memberships only: its sector credential makes the whole presentation refused.
      const sector = await credential('SectorCredential', { sector: 'finance', sectorRoles: ['bank'] });
      const refused = await whoami(connector, await token([membership, sector]));
      expect(refused.status).to.equal(403);
      expect(JSON.stringify(refused.body)).to.contain('not for SectorCredential');
    } finally {
      await connector.close();
      await authority.close();
      await ca.close();
      await member.close();
    }
  });

  describe('operator context folder', () => {
    it('refuses file names that leave the folder, and documents that are not contexts', () => {
      const folder = join(dir, 'contexts');
      mkdirSync(folder);
      writeFileSync(join(folder, 'index.json'), JSON.stringify({ 'https://a.example/v1': '../secret.json' }));
      expect(() => readOperatorContextFolder(folder)).to.throw(/plain file name/);
      writeFileSync(join(folder, 'index.json'), JSON.stringify({ 'https://a.example/v1': 'a.jsonld' }));
      writeFileSync(join(folder, 'a.jsonld'), JSON.stringify({ vocab: 'x' }));
      expect(() => readOperatorContextFolder(folder)).to.throw(/not a JSON-LD context document/);
      writeFileSync(join(folder, 'index.json'), JSON.stringify({ 'ftp://a.example/v1': 'a.jsonld' }));
      expect(() => readOperatorContextFolder(folder)).to.throw(/must be http\(s\)/);
      writeFileSync(join(folder, 'index.json'), JSON.stringify({ 'https://a.example/v1': 'missing.jsonld' }));
      expect(() => readOperatorContextFolder(folder)).to.throw(/not readable JSON/);
    });

    it('reads the folder into the loader: a known context resolves, any other URL is still refused', async () => {
      const loader = createDocumentLoader({ extraContexts: readOperatorContextFolder(OPERATOR_CONTEXTS) });
      expect(loader.has('https://website.example/matrix/v1')).to.equal(true);
      expect((await loader('https://website.example/matrix/v1')).document).to.have.property('@context');
      try {
        await loader('https://website.example/other/v1');
        expect.fail('an unknown context was served');
      } catch (error) {
        expect((error as { code?: string }).code).to.equal('ERR_CONTEXT_NOT_ALLOWED');
      }
    });
  });
});
