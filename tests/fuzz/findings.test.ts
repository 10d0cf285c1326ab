// Regression tests for what the HTTP fuzzer (fuzz/http.ts) found, one per finding, named after it.
import { expect } from 'chai';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  hospitalApplication,
  startLocalDataSpace,
  USCC_B,
  type LocalDataSpace,
} from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  management,
  medicalContract,
  MEMBERS_ACCESS,
  publish,
  startMember,
} from '../dsp/helpers.js';

const DATASET = 'urn:dataset:fuzz-finding';

describe('fuzz findings', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startMember(space, 'provider', hospitalApplication());
    consumer = await startMember(
      space,
      'consumer',
      hospitalApplication({ organisationName: 'Consumer Clinic', registrationNumber: USCC_B }),
    );
    await publish(
      provider,
      [assetInput(DATASET, provider.did)],
      [
        {
          id: 'open',
          assetSelector: { assetIds: [DATASET] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
  });
  after(async () => {
    await space?.close();
  });

  describe('502 for a peer refusal (the peer answered 4xx: a valid answer, not a bad gateway)', () => {
    it('answers 424 peer-refused, quoting the peer, when the provider has no such dataset', async () => {
      const r = await management(consumer).post('/negotiations', {
        counterPartyAddress: `${provider.url}/dsp`,
        counterPartyId: provider.did,
        datasetId: `${DATASET}constructor`,
        offerId: catalogOfferId('open', DATASET),
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(424);
      expect(r.body.type).to.match(/peer-refused$/);
      expect(String(r.body.detail)).to.include('answered 404');
      expect((await management(consumer).get('/negotiations')).body.negotiations).to.deep.equal([]);
    });

    it('answers 424 when the catalog request goes to a path the peer does not serve', async () => {
      const r = await management(consumer).post('/catalog/request', {
        counterPartyAddress: `${provider.url}/dsp..%2F..%2Fetc%2Fpasswd`,
        counterPartyId: provider.did,
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(424);
      expect(r.body.title).to.equal('Failed Dependency');
    });

    it('still answers 502 when the peer cannot be reached', async () => {
      const r = await management(consumer).post('/catalog/request', {
        counterPartyAddress: 'http://127.0.0.1:9/dsp',
        counterPartyId: provider.did,
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(502);
      expect(r.body.type).to.match(/peer-unreachable$/);
    });
  });

  describe('502 for a 10,000-character counterPartyId (the request token outgrew the peer’s header limit)', () => {
    for (const path of ['/catalog/request', '/catalog/dataset', '/negotiations']) {
      it(`answers 400 naming counterPartyId on POST ${path}, before calling the peer`, async () => {
        const r = await management(consumer).post(path, {
          counterPartyAddress: `${provider.url}/dsp`,
          counterPartyId: 'x'.repeat(10_000),
          datasetId: DATASET,
          offerId: catalogOfferId('open', DATASET),
        });
        expect(r.status, JSON.stringify(r.body)).to.equal(400);
        expect(r.body.errors).to.deep.include({
          pointer: '/counterPartyId',
          reason: 'at most 2048 characters',
        });
      });
    }
  });
});
