// Transfer formats: sent as an IRI that JSON-LD expansion keeps ("dspace:HttpData-PULL"), read back by
// name from any form a peer uses (bare from the TCK, EDC and older Shuyu peers; prefixed; full IRI).
import { expect } from 'chai';
import { parseDspMessage, readFormat, wireFormat } from '../../../connector/dsp/messages/index.js';
import { DSP } from './helpers.js';

const FORMS = ['HttpData-PULL', 'dspace:HttpData-PULL', 'https://w3id.org/dspace/2025/1/HttpData-PULL'];

describe('DSP transfer formats on the wire', () => {
  it('writes a bare name in the DSP namespace and leaves an IRI as it is', () => {
    expect(wireFormat('HttpData-PULL')).to.equal('dspace:HttpData-PULL');
    expect(wireFormat('dspace:HttpData-PUSH')).to.equal('dspace:HttpData-PUSH');
    expect(wireFormat('https://example.org/formats/S3')).to.equal('https://example.org/formats/S3');
  });

  it('reads every form back to the name, and leaves other IRIs alone', () => {
    for (const form of FORMS) expect(readFormat(form), form).to.equal('HttpData-PULL');
    expect(readFormat('https://example.org/formats/S3')).to.equal('https://example.org/formats/S3');
  });

  for (const form of FORMS) {
    it(`a TransferRequestMessage and a catalog's distributions with format ${form} read as HttpData-PULL`, async () => {
      const request = await parseDspMessage('TransferRequestMessage', {
        '@context': [DSP],
        '@type': 'TransferRequestMessage',
        consumerPid: 'urn:uuid:consumer-1',
        agreementId: 'urn:uuid:agreement-1',
        format: form,
        callbackAddress: 'https://consumer.example/dsp',
      });
      if (!request.ok) expect.fail(JSON.stringify(request.errors));
      expect(request.message.format).to.equal('HttpData-PULL');
      const service = { '@id': 'urn:svc', '@type': 'DataService', endpointURL: 'https://p.example/dsp' };
      const distribution = { '@type': 'Distribution', format: form, accessService: service };
      const offer = { '@id': 'urn:offer', '@type': 'Offer', permission: [{ action: 'use' }] };
      const dataset = {
        '@id': 'urn:ds',
        '@type': 'Dataset',
        hasPolicy: [offer],
        distribution: [distribution],
      };
      const body = {
        '@context': [DSP],
        '@id': 'urn:catalog',
        '@type': 'Catalog',
        participantId: 'did:web:p.example',
        dataset: [dataset],
        catalog: [{ '@id': 'urn:nested', '@type': 'Catalog', dataset: [dataset] }],
      };
      const catalog = await parseDspMessage('Catalog', structuredClone(body));
      if (!catalog.ok) expect.fail(JSON.stringify(catalog.errors));
      expect(catalog.message.dataset?.[0]?.distribution[0]?.format).to.equal('HttpData-PULL');
      expect(catalog.message.catalog?.[0]?.dataset?.[0]?.distribution[0]?.format).to.equal('HttpData-PULL');
    });
  }
});
