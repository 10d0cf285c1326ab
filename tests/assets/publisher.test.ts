// The catalog's DCAT-AP publisher from the member's credentials (connector/wallet/publisher.ts), and a
// catalog re-rendering its datasets when that profile appears (credentials arrive after onboarding).
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ASSET_MIGRATIONS,
  AssetStore,
  Catalog,
  type PublisherProfile,
} from '../../connector/assets/index.js';
import type { Store } from '../../connector/store/database.js';
import { openTestStore } from '../support/store.js';
import { ConfigError } from '../../connector/process/config.js';
import { catalogSettings } from '../../connector/process/run-connector.js';
import { walletPublisher } from '../../connector/wallet/publisher.js';
import { Wallet, WALLET_MIGRATIONS } from '../../connector/wallet/store.js';
import { asset, ENDPOINT, HOSPITAL, offer, PROVIDER } from './helpers.js';

const AUTHORITY = 'did:web:authority.example';
const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A vc+jwt as the wallet stores it (the signature is not read: these are the connector's own). */
function credentialJwt(type: string, subject: object): string {
  const payload = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiableCredential', type],
    issuer: AUTHORITY,
    credentialSubject: { id: PROVIDER, ...subject },
    iss: AUTHORITY,
  };
  return `${b64({ alg: 'EdDSA', typ: 'vc+jwt', kid: `${AUTHORITY}#key-1` })}.${b64(payload)}.${b64({ s: 1 })}`;
}

describe("assets: the DCAT-AP publisher from the member's credentials", () => {
  let dir: string;
  let db: Store;
  let wallet: Wallet;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shuyu-publisher-'));
    db = await openTestStore(join(dir, 'c.sqlite'), [...ASSET_MIGRATIONS, ...WALLET_MIGRATIONS]);
    wallet = new Wallet(db);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function receive(): Promise<void> {
    const at = '2026-06-01T00:00:00Z';
    await wallet.replaceFromIssuer(AUTHORITY, [
      {
        id: 'urn:uuid:m',
        type: 'MembershipCredential',
        format: 'jwt',
        issuer: AUTHORITY,
        credential: credentialJwt('MembershipCredential', {
          organisationName: 'Beijing Research Hospital',
          registrationNumber: '121100004000000128',
          role: 'provider',
        }),
        receivedAt: at,
      },
      {
        id: 'urn:uuid:s',
        type: 'SectorCredential',
        format: 'jwt',
        issuer: AUTHORITY,
        credential: credentialJwt('SectorCredential', { sector: 'medical', sectorRoles: ['hospital'] }),
        receivedAt: at,
      },
    ]);
  }

  it('reads the organisation name, credit code and sector; nothing before onboarding', async () => {
    expect(await walletPublisher(wallet)).to.equal(undefined);
    await receive();
    expect(await walletPublisher(wallet, { regions: ['CN-BJ'] })).to.deep.equal({
      regions: ['CN-BJ'],
      name: 'Beijing Research Hospital',
      identifier: '121100004000000128',
      sector: 'medical',
    });
  });

  it('a catalog renders its datasets anew once the profile appears', async () => {
    const store = new AssetStore(db);
    const catalog = new Catalog(store, {
      participantId: PROVIDER,
      endpointURL: ENDPOINT,
      publisher: () => walletPublisher(wallet),
      publisherRefreshMs: 0,
    });
    await store.createAsset(asset('urn:ds:visits', { publisher: 'Beijing Research Hospital' }));
    await store.createOffer(offer('research'));
    const before = await catalog.datasetFor(HOSPITAL, 'urn:ds:visits');
    expect(before?.['dct:publisher']).to.not.have.property('dct:identifier');
    await receive();
    const after = await catalog.datasetFor(HOSPITAL, 'urn:ds:visits');
    expect(after?.['dct:publisher']).to.deep.include({
      '@id': PROVIDER,
      'dct:identifier': '121100004000000128',
    });
    const document = catalog.catalogDocument(await catalog.catalogFor(HOSPITAL, {}));
    expect(document['dct:title']).to.equal('Beijing Research Hospital: data catalog');
    expect(catalog.service['dct:title']).to.equal('Beijing Research Hospital: Dataspace Protocol endpoint');
    const fixed: PublisherProfile = { name: 'Fixed' };
    const configured = new Catalog(store, {
      participantId: PROVIDER,
      endpointURL: ENDPOINT,
      publisher: fixed,
    });
    expect(configured.catalogDocument({ datasets: [] })['dct:title']).to.equal('Fixed: data catalog');
  });

  it('connector.json "catalog" adds what credentials do not carry; a wrong type is a ConfigError', () => {
    const settings = { contact: 'data@hospital.example', regions: ['CN-BJ'], languages: ['ZHO', 'ENG'] };
    writeFileSync(join(dir, 'connector.json'), JSON.stringify({ catalog: settings }));
    expect(catalogSettings({ dataDir: dir } as never)).to.deep.equal(settings);
    writeFileSync(join(dir, 'connector.json'), JSON.stringify({ catalog: { regions: 'CN-BJ' } }));
    expect(() => catalogSettings({ dataDir: dir } as never)).to.throw(ConfigError, /"catalog" "regions"/);
  });
});
