// The official DSP 2025-1 examples: each validates against its schema, parses on the fast path, and
// parses to the very same object when given in expanded JSON-LD (the slow path), also after many
// messages in one process (the jsonld.js @import cache bug, trap 2).
import { expect } from 'chai';
import jsonld from 'jsonld';
import {
  DSP_DOCUMENT_LOADER,
  EDC_DSPACE_CONTEXT_URL,
  parseDspMessage,
  validateDspMessage,
  type JsonObject,
} from '../../../connector/dsp/messages/index.js';
import { clone, DSP, examples, messageExamples } from './helpers.js';

async function expanded(body: JsonObject): Promise<unknown> {
  const options = { documentLoader: DSP_DOCUMENT_LOADER } as unknown as jsonld.Options.Expand;
  return jsonld.expand(clone(body) as jsonld.JsonLdDocument, options);
}

describe('DSP 2025-1 examples', () => {
  it('are all bundled in the repository (27)', () => {
    expect(examples()).to.have.length(27);
    expect(messageExamples()).to.have.length(24);
  });

  describe('schema validation', () => {
    for (const { file, schema, body } of examples()) {
      if (file === 'dataservice-did-service.json') continue;
      it(`${file} validates as ${schema}`, () => {
        expect(validateDspMessage(schema, body)).to.deep.equal([]);
      });
    }

    it('dataservice-did-service.json breaks its own schema, and the error says where', () => {
      const example = examples().find((e) => e.file === 'dataservice-did-service.json');
      const errors = validateDspMessage('DidService', example?.body);
      expect(errors).to.have.length(1);
      expect(errors[0]?.pointer).to.equal('/serviceEndpoint');
      expect(errors[0]?.reason).to.match(/ending in "\/catalog"/);
    });
  });

  describe('parseDspMessage, fast path', () => {
    for (const { file, schema, body } of messageExamples()) {
      it(`${file} parses as it is`, async () => {
        const result = await parseDspMessage(schema, clone(body));
        if (!result.ok) expect.fail(JSON.stringify(result.errors));
        expect(result.path).to.equal('fast');
        expect(result.message).to.deep.equal(body);
      });
    }
  });

  describe('parseDspMessage, expansion path', () => {
    for (const { file, schema, body } of messageExamples()) {
      it(`${file}: the expanded JSON-LD form parses to the compact original`, async () => {
        const result = await parseDspMessage(schema, await expanded(body));
        if (!result.ok) expect.fail(JSON.stringify(result.errors));
        expect(result.path).to.equal('expanded');
        expect(result.message).to.deep.equal(body);
      });
    }

    it('an extra context the fast path does not trust (W3C ODRL) is expanded and still reads the same', async () => {
      const body = messageExamples().find((e) => e.file === 'contract-request-message_initial.json')?.body;
      const withOdrl = { ...clone(body), '@context': [DSP, 'http://www.w3.org/ns/odrl.jsonld'] };
      const result = await parseDspMessage('ContractRequestMessage', withOdrl);
      if (!result.ok) expect.fail(JSON.stringify(result.errors));
      expect(result.path).to.equal('expanded');
      expect(result.message).to.deep.equal(body);
    });

    it('repeated expansion of many messages in one process drops nothing (trap 2)', async function () {
      this.timeout(60_000);
      const inputs = await Promise.all(
        messageExamples().map(async (e) => ({ ...e, input: await expanded(e.body) })),
      );
      for (let round = 0; round < 15; round++) {
        for (const { file, schema, body, input } of inputs) {
          const result = await parseDspMessage(schema, clone(input));
          if (!result.ok) expect.fail(`round ${round}, ${file}: ${JSON.stringify(result.errors)}`);
          expect(result.message, `round ${round}, ${file}`).to.deep.equal(body);
        }
      }
    });
  });

  describe('contexts the fast path accepts beside DSP', () => {
    // The fast path trusts these contexts not to change any DSP term: checked here against jsonld.
    for (const extra of [EDC_DSPACE_CONTEXT_URL, 'https://w3id.org/dspace/2025/1/odrl-profile.jsonld']) {
      for (const { file, schema, body } of messageExamples()) {
        it(`${file} with ${extra}: fast path result equals what JSON-LD processing gives`, async () => {
          const input = { ...clone(body), '@context': [DSP, extra] };
          const fast = await parseDspMessage(schema, input);
          if (!fast.ok) expect.fail(JSON.stringify(fast.errors));
          expect(fast.path).to.equal('fast');
          expect(fast.message).to.deep.equal(body);
          const slow = await parseDspMessage(schema, await expanded(input));
          if (!slow.ok) expect.fail(JSON.stringify(slow.errors));
          expect(slow.message).to.deep.equal(fast.message);
        });
      }
    }
  });

  describe('wire variations', () => {
    const request = (): JsonObject =>
      clone(messageExamples().find((e) => e.file === 'contract-request-message.json')?.body as JsonObject);

    it('reads "@context" given as a string and answers with the array form (trap 3)', async () => {
      const result = await parseDspMessage('ContractRequestMessage', { ...request(), '@context': DSP });
      expect(result.ok && result.message['@context']).to.deep.equal([DSP]);
    });

    it('keeps the top-level "@id" a sender gives its message (part of its identity)', async () => {
      const result = await parseDspMessage('ContractRequestMessage', { ...request(), '@id': 'urn:tck:1' });
      expect(result.ok && result.message).to.deep.equal({ ...request(), '@id': 'urn:tck:1' });
    });

    it('keeps the "@id" of a Catalog, which is part of the message', async () => {
      const catalog = messageExamples().find((e) => e.file === 'catalog.json')?.body as JsonObject;
      const result = await parseDspMessage('Catalog', clone(catalog));
      expect(result.ok && result.message['@id']).to.equal(catalog['@id']);
    });

    it('reads JSON text as well as parsed JSON', async () => {
      const result = await parseDspMessage('ContractRequestMessage', JSON.stringify(request()));
      expect(result.ok && result.path).to.equal('fast');
    });

    it('reads prefixed DSP keys and an array "@type" by expanding them (trap 4)', async () => {
      const body = {
        '@context': [DSP],
        '@type': ['TransferCompletionMessage'],
        'dspace:providerPid': { '@id': 'urn:p' },
        consumerPid: 'urn:c',
      };
      const result = await parseDspMessage('TransferCompletionMessage', body);
      if (!result.ok) expect.fail(JSON.stringify(result.errors));
      expect(result.path).to.equal('expanded');
      expect(result.message).to.deep.equal({
        '@context': [DSP],
        '@type': 'TransferCompletionMessage',
        providerPid: 'urn:p',
        consumerPid: 'urn:c',
      });
    });

    it('keeps DCAT / Dublin Core metadata under prefixed keys on the fast path', async () => {
      const dataset = clone(messageExamples().find((e) => e.file === 'dataset.json')?.body as JsonObject);
      dataset['dct:title'] = 'Hourly load, Beijing';
      dataset['dcat:keyword'] = ['energy', 'load'];
      const result = await parseDspMessage('Dataset', dataset);
      expect(result.ok && result.path).to.equal('fast');
      const slow = await parseDspMessage('Dataset', await expanded(dataset));
      expect(slow.ok && slow.message).to.deep.equal(dataset);
    });

    it('puts back the array of a one-constraint "and" that JSON-LD compaction flattens', async () => {
      const body = request();
      const offer = body.offer as JsonObject;
      offer.permission = [
        {
          action: 'use',
          constraint: [{ and: [{ leftOperand: 'purpose', operator: 'eq', rightOperand: 'x' }] }],
        },
      ];
      const result = await parseDspMessage('ContractRequestMessage', await expanded(body));
      if (!result.ok) expect.fail(JSON.stringify(result.errors));
      expect(result.message).to.deep.equal(body);
    });
  });
});
