// Every sector template survives the DSP wire: the catalog offer goes into a ContractRequestMessage that
// the official schema and the message layer accept (no term JSON-LD would drop), and the provider reads it
// back as the same policy it offered.
import { expect } from 'chai';
import { matchRequestedOffer } from '../../connector/assets/index.js';
import { buildContractRequestMessage } from '../../connector/dsp/messages/build.js';
import { parseDspMessage } from '../../connector/dsp/messages/index.js';
import { asset, HOSPITAL, MEMBERS, openRegistry, template, type Registry } from './helpers.js';

describe('assets: sector templates on the DSP wire', () => {
  let r: Registry;
  beforeEach(async () => {
    r = await openRegistry();
  });
  afterEach(() => r.close());

  for (const sector of ['medical', 'finance', 'energy', 'education'] as const) {
    it(`${sector}: the offer is a valid ContractRequestMessage and matches itself`, async () => {
      const datasetId = `urn:ds:${sector}`;
      await r.store.createAsset(asset(datasetId, { sector }));
      await r.store.createOffer({
        id: sector,
        assetSelector: { assetIds: [datasetId] },
        accessPolicy: MEMBERS,
        contractPolicy: template(sector),
      });
      const [dataset] = (await r.catalog.catalogFor(HOSPITAL, {})).datasets;
      const offer = dataset?.hasPolicy[0];
      expect(offer).to.not.equal(undefined);
      const message = buildContractRequestMessage({
        consumerPid: 'urn:uuid:3a3c1b4e-0000-4000-8000-000000000001',
        callbackAddress: 'https://consumer.example/dsp',
        offer: { ...offer, target: datasetId },
      } as Parameters<typeof buildContractRequestMessage>[0]);
      const parsed = await parseDspMessage('ContractRequestMessage', JSON.parse(JSON.stringify(message)));
      expect(parsed.ok, JSON.stringify(parsed)).to.equal(true);
      const match = await matchRequestedOffer(r.catalog, HOSPITAL, {
        datasetId,
        offer: (parsed as { message: { offer: unknown } }).message.offer,
      });
      expect(match.ok, match.ok ? '' : `${match.reason}: ${match.message}`).to.equal(true);
    });
  }

  it('reads a requested offer whatever form its ODRL terms take: bare (older peers), odrl: prefixed, full IRIs', async () => {
    const datasetId = 'urn:ds:medical';
    await r.store.createAsset(asset(datasetId, { sector: 'medical' }));
    await r.store.createOffer({
      id: 'medical',
      assetSelector: { assetIds: [datasetId] },
      accessPolicy: MEMBERS,
      contractPolicy: template('medical'),
    });
    const [dataset] = (await r.catalog.catalogFor(HOSPITAL, {})).datasets;
    const wire = JSON.stringify({ ...dataset?.hasPolicy[0], target: datasetId });
    // The catalog writes the terms the DSP context lacks prefixed; the other two forms (values only) are derived.
    expect(wire).to.include('"leftOperand":"odrl:purpose"').and.include('"action":"odrl:distribute"');
    const forms = {
      prefixed: wire,
      bare: wire.replace(/:"odrl:([A-Za-z]+)"/g, ':"$1"'),
      full: wire.replace(/:"odrl:([A-Za-z]+)"/g, ':"http://www.w3.org/ns/odrl/2/$1"'),
    };
    for (const [form, text] of Object.entries(forms)) {
      const message = buildContractRequestMessage({
        consumerPid: 'urn:uuid:3a3c1b4e-0000-4000-8000-000000000002',
        callbackAddress: 'https://consumer.example/dsp',
        offer: JSON.parse(text) as never,
      });
      const parsed = await parseDspMessage('ContractRequestMessage', JSON.parse(JSON.stringify(message)));
      expect(parsed.ok, `${form}: ${JSON.stringify(parsed)}`).to.equal(true);
      const match = await matchRequestedOffer(r.catalog, HOSPITAL, {
        datasetId,
        offer: (parsed as { message: { offer: unknown } }).message.offer,
      });
      expect(match.ok, match.ok ? form : `${form}: ${match.reason}: ${match.message}`).to.equal(true);
    }
  });
});
