// What a peer is told when its message is refused: a JSON pointer and a sentence for each problem,
// never an exception, never a network request.
import { expect } from 'chai';
import {
  DSP_DOCUMENT_LOADER,
  DSP_MESSAGE_LIMITS,
  parseDspMessage,
  type FieldReason,
  type JsonObject,
  type ParseResult,
  type DspMessageType,
} from '../../../connector/dsp/messages/index.js';
import { clone, DSP, messageExamples } from './helpers.js';

function example(file: string): JsonObject {
  const found = messageExamples().find((e) => e.file === file);
  if (!found) throw new Error(`no example ${file}`);
  return clone(found.body);
}

function errorsOf<T extends DspMessageType>(result: ParseResult<T>): FieldReason[] {
  if (result.ok) expect.fail('the message was accepted');
  return result.errors;
}

async function refused(type: DspMessageType, body: unknown): Promise<FieldReason[]> {
  return errorsOf(await parseDspMessage(type, body));
}

describe('parseDspMessage refusals', () => {
  describe('contexts', () => {
    let realFetch: typeof globalThis.fetch;
    let fetches = 0;
    beforeEach(() => {
      realFetch = globalThis.fetch;
      fetches = 0;
      globalThis.fetch = (() => {
        fetches++;
        return Promise.reject(new Error('no network in this test'));
      }) as typeof globalThis.fetch;
    });
    afterEach(() => {
      globalThis.fetch = realFetch;
    });

    it('refuses an unknown context URL with a clear error and no network request', async () => {
      const asked: string[] = [];
      const spy = (url: string) => {
        asked.push(url);
        return DSP_DOCUMENT_LOADER(url);
      };
      const body = {
        ...example('transfer-process.json'),
        '@context': [DSP, 'https://evil.example/ctx.jsonld'],
      };
      const errors = errorsOf(await parseDspMessage('TransferProcess', body, { documentLoader: spy }));
      expect(errors).to.have.length(1);
      expect(errors[0]?.pointer).to.equal('/@context/1');
      expect(errors[0]?.reason).to.include('https://evil.example/ctx.jsonld');
      expect(errors[0]?.reason).to.include('never fetched');
      expect(asked).to.include('https://evil.example/ctx.jsonld');
      expect(fetches).to.equal(0);
    });

    it('refuses a context imported from inside an inline context the same way', async () => {
      const body = {
        ...example('transfer-process.json'),
        '@context': [DSP, { '@import': 'https://evil.example/imported.jsonld' }],
      };
      const errors = await refused('TransferProcess', body);
      expect(errors[0]?.reason).to.include('https://evil.example/imported.jsonld');
      expect(fetches).to.equal(0);
    });

    it('asks for the DSP context when there is none', async () => {
      const body = example('transfer-process.json');
      delete body['@context'];
      const errors = await refused('TransferProcess', body);
      expect(errors).to.deep.equal([{ pointer: '/@context', reason: errors[0]?.reason }]);
      expect(errors[0]?.reason).to.include(DSP);
    });

    it('names a property the context does not define instead of silently dropping it', async () => {
      const body = {
        ...example('transfer-process.json'),
        '@context': [DSP, { x: 'urn:x:' }],
        stat: 'STARTED',
      };
      const errors = await refused('TransferProcess', body);
      expect(errors).to.have.length(1);
      expect(errors[0]?.pointer).to.equal('/stat');
      expect(errors[0]?.reason).to.match(/"stat" is not a term/);
    });
  });

  describe('message type', () => {
    it('refuses a message of another type than the endpoint expects', async () => {
      const errors = await refused('ContractRequestMessage', example('contract-offer-message.json'));
      expect(errors).to.deep.equal([
        {
          pointer: '/@type',
          reason: 'must be "ContractRequestMessage" for this endpoint, found "ContractOfferMessage"',
        },
      ]);
    });

    it('refuses a message without @type', async () => {
      const body = example('transfer-process.json');
      delete body['@type'];
      const errors = await refused('TransferProcess', body);
      expect(errors[0]?.pointer).to.equal('/@type');
      expect(errors[0]?.reason).to.include('found none');
    });

    it('refuses an unknown compact @type with a sentence about it', async () => {
      const errors = await refused('TransferProcess', {
        ...example('transfer-process.json'),
        '@type': 'Transfer',
      });
      expect(errors[0]).to.deep.include({ pointer: '/@type' });
      expect(errors[0]?.reason).to.include('"Transfer"');
    });
  });

  describe('schema', () => {
    it('points at each missing required field', async () => {
      const body = example('transfer-request-message.json');
      delete body.agreementId;
      delete body.callbackAddress;
      const errors = await refused('TransferRequestMessage', body);
      expect(errors).to.deep.equal([
        { pointer: '/agreementId', reason: 'is required but missing' },
        { pointer: '/callbackAddress', reason: 'is required but missing' },
      ]);
    });

    it('refuses a state outside the enum, naming the allowed ones', async () => {
      const errors = await refused('TransferProcess', {
        ...example('transfer-process.json'),
        state: 'RUNNING',
      });
      expect(errors).to.deep.equal([
        {
          pointer: '/state',
          reason: 'must be one of REQUESTED, STARTED, TERMINATED, COMPLETED, SUSPENDED, found "RUNNING"',
        },
      ]);
    });

    it('trap 5: an initial ContractRequestMessage must not also carry providerPid', async () => {
      const body = { ...example('contract-request-message_initial.json'), providerPid: 'urn:p' };
      const errors = await refused('ContractRequestMessage', body);
      expect(errors).to.have.length(1);
      expect(errors[0]?.pointer).to.equal('');
      expect(errors[0]?.reason).to.match(
        /^must not carry both "callbackAddress" and "providerPid": an initial/,
      );
    });

    it('trap 5: a ContractRequestMessage needs callbackAddress or providerPid', async () => {
      const body = example('contract-request-message.json');
      delete body.providerPid;
      const errors = await refused('ContractRequestMessage', body);
      expect(errors).to.have.length(1);
      expect(errors[0]?.reason).to.match(/^needs exactly one of "callbackAddress", "providerPid"/);
    });

    it('trap 5: a later ContractOfferMessage must not carry callbackAddress', async () => {
      const body = { ...example('contract-offer-message.json'), callbackAddress: 'https://p.example/cb' };
      const errors = await refused('ContractOfferMessage', body);
      expect(errors[0]?.reason).to.match(/^must not carry both "callbackAddress" and "consumerPid"/);
    });

    it('trap 6: an offer without any permission or prohibition is refused', async () => {
      const body = example('contract-request-message.json');
      delete (body.offer as JsonObject).permission;
      const errors = await refused('ContractRequestMessage', body);
      expect(errors).to.deep.equal([
        { pointer: '/offer', reason: 'needs at least one of "permission", "prohibition"' },
      ]);
    });

    it('trap 6: an empty permission list does not count as a rule', async () => {
      const body = example('contract-request-message.json');
      (body.offer as JsonObject).permission = [];
      const errors = await refused('ContractRequestMessage', body);
      expect(errors).to.deep.include({ pointer: '/offer/permission', reason: 'must not be empty' });
    });

    it('trap 6: an offer inside a catalog dataset must not name a target', async () => {
      const body = example('catalog.json');
      const dataset = (body.dataset as JsonObject[])[0] as JsonObject;
      ((dataset.hasPolicy as JsonObject[])[0] as JsonObject).target = 'urn:x';
      const errors = await refused('Catalog', body);
      expect(errors).to.have.length(1);
      expect(errors[0]?.pointer).to.equal('/dataset/0/hasPolicy/0/target');
      expect(errors[0]?.reason).to.include('must not name a "target"');
    });

    it('a ContractOfferMessage offer must name its target', async () => {
      const body = example('contract-offer-message.json');
      delete (body.offer as JsonObject).target;
      const errors = await refused('ContractOfferMessage', body);
      expect(errors).to.deep.equal([{ pointer: '/offer/target', reason: 'is required but missing' }]);
    });

    it('points at the wrong value inside a constraint, with a hint for numbers', async () => {
      const body = example('contract-request-message.json');
      const rule = ((body.offer as JsonObject).permission as JsonObject[])[0] as JsonObject;
      rule.constraint = [{ leftOperand: 'count', operator: 'lteq', rightOperand: 10 }];
      const errors = await refused('ContractRequestMessage', body);
      expect(errors).to.have.length(1);
      expect(errors[0]?.pointer).to.equal('/offer/permission/0/constraint/0/rightOperand');
      expect(errors[0]?.reason).to.include('found number 10; write numbers as a typed value');
    });

    it('says what a constraint must look like when it is neither atomic nor logical', async () => {
      const body = example('contract-request-message.json');
      const rule = ((body.offer as JsonObject).permission as JsonObject[])[0] as JsonObject;
      rule.constraint = [{ leftOperand: 'count', rightOperand: '10' }];
      const errors = await refused('ContractRequestMessage', body);
      expect(errors).to.have.length(1);
      expect(errors[0]?.pointer).to.equal('/offer/permission/0/constraint/0');
      expect(errors[0]?.reason).to.match(/^must be a logical constraint .* or an atomic constraint/);
    });

    it('refuses an agreement timestamp that is not an xsd:dateTime', async () => {
      const body = example('contract-agreement-message.json');
      (body.agreement as JsonObject).timestamp = 'yesterday';
      const errors = await refused('ContractAgreementMessage', body);
      expect(errors).to.deep.equal([
        {
          pointer: '/agreement/timestamp',
          reason: 'must be an xsd:dateTime such as "2025-06-01T08:00:00Z", found "yesterday"',
        },
      ]);
    });

    it('on the expansion path says the pointers refer to the compacted message', async () => {
      const body = example('transfer-process.json');
      body['@context'] = [DSP, { x: 'urn:x:' }];
      body.state = 'RUNNING';
      const result = await parseDspMessage('TransferProcess', body);
      expect(result.ok).to.equal(false);
      expect(!result.ok && result.expanded).to.equal(true);
    });
  });

  describe('limits and malformed input', () => {
    it('refuses a body nested too deep, pointing where the limit is crossed', async () => {
      const body = example('catalog-request-message.json');
      let deep: JsonObject = {};
      const root = deep;
      for (let i = 0; i < DSP_MESSAGE_LIMITS.maxDepth + 10; i++) {
        const next: JsonObject = {};
        deep.n = next;
        deep = next;
      }
      body.filter = [root];
      const errors = await refused('CatalogRequestMessage', body);
      expect(errors).to.have.length(1);
      expect(errors[0]?.reason).to.match(/nested deeper than 64 levels/);
      expect(errors[0]?.pointer).to.match(/^\/filter\/0(\/n)+$/);
    });

    it('refuses a body with too many values', async () => {
      const body = example('catalog-request-message.json');
      body.filter = Array.from({ length: DSP_MESSAGE_LIMITS.maxNodes + 5 }, (_, i) => i);
      const errors = await refused('CatalogRequestMessage', body);
      expect(errors).to.have.length(1);
      expect(errors[0]?.reason).to.match(/more than 200000 JSON values/);
    });

    it('refuses an oversize string', async () => {
      const body = {
        ...example('transfer-process.json'),
        consumerPid: 'x'.repeat(DSP_MESSAGE_LIMITS.maxStringLength + 1),
      };
      const errors = await refused('TransferProcess', body);
      expect(errors).to.deep.equal([
        { pointer: '/consumerPid', reason: `is a string of 65537 characters; at most 65536 are accepted` },
      ]);
    });

    it('refuses oversize JSON text before parsing it', async () => {
      const text = JSON.stringify({ pad: ' '.repeat(DSP_MESSAGE_LIMITS.maxTextLength) });
      const errors = await refused('TransferProcess', text);
      expect(errors[0]?.reason).to.match(/longer than/);
    });

    it('refuses text that is not JSON', async () => {
      const errors = await refused('TransferProcess', '{"@type": ');
      expect(errors[0]?.pointer).to.equal('');
      expect(errors[0]?.reason).to.match(/^is not valid JSON/);
    });

    it('never throws, whatever it is given', async () => {
      const cyclic: JsonObject = { '@context': [DSP], '@type': 'TransferProcess' };
      (cyclic as Record<string, unknown>).self = cyclic;
      const inputs: unknown[] = [
        null,
        undefined,
        42,
        [],
        [1, 2],
        'null',
        { '@context': 5 },
        { '@context': [DSP], '@type': 5 },
        { '@context': [DSP], '@type': 'TransferProcess', '@graph': [] },
        { '@context': { '@version': 2 } },
        { '@context': [DSP, { providerPid: 'urn:redefine' }], '@type': 'TransferProcess' },
        cyclic,
      ];
      for (const input of inputs) {
        const result = await parseDspMessage('TransferProcess', input);
        expect(result.ok, JSON.stringify(input === cyclic ? 'cyclic' : input)).to.equal(false);
        if (!result.ok) expect(result.errors.length).to.be.greaterThan(0);
      }
    });
  });
});
