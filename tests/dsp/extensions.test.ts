// Shuyu's extension properties on DSP messages (full IRIs in the Shuyu namespace): the message layer
// accepts them, keeps the fast path for them, and they survive JSON-LD processing; and the agreement
// signatures, which must hold whichever compacted form of the agreement each side ends up with.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readDeclaredUsage,
  readSignature,
  SHUYU_PROVIDER_SIGNATURE,
  SHUYU_PURPOSE,
  SHUYU_SPATIAL,
  usageProperties,
} from '../../connector/control-plane/extensions.js';
import { checkedPolicy } from '../../connector/control-plane/outgoing.js';
import {
  agreementDigest,
  checkAgreementSignature,
  checkVerificationSignature,
  signAgreement,
  signVerification,
} from '../../connector/control-plane/negotiation/signature.js';
import {
  buildContractAgreementMessage,
  buildTransferRequestMessage,
  DSP_CONTEXT_URL,
  DspError,
  parseDspMessage,
} from '../../connector/dsp/messages/index.js';
import { offlineKeys } from '../../connector/evidence/index.js';
import { openProcessIdentity, type ProcessIdentity } from '../../connector/identity/index.js';

function request(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ...buildTransferRequestMessage({
      consumerPid: 'urn:uuid:c1',
      agreementId: 'urn:uuid:a1',
      format: 'HttpData-PULL',
      callbackAddress: 'http://127.0.0.1:7711/dsp',
    }),
    ...extra,
  };
}

describe('dsp: Shuyu extension properties', () => {
  it('a TransferRequestMessage carries purpose and place under full IRIs, on the fast path', async () => {
    const body = request(usageProperties({ purpose: ['scientific-research'], spatial: ['CN', 'CN-BJ'] }));
    expect(Object.keys(body)).to.include.members([SHUYU_PURPOSE, SHUYU_SPATIAL]);
    const parsed = await parseDspMessage('TransferRequestMessage', body);
    if (!parsed.ok) expect.fail(JSON.stringify(parsed.errors));
    expect(parsed.path).to.equal('fast');
    expect(readDeclaredUsage(parsed.message)).to.deep.equal({
      purpose: ['scientific-research'],
      spatial: ['CN', 'CN-BJ'],
    });
  });

  it('survives JSON-LD processing (a one-value list compacts to the value) and is read the same', async () => {
    const body = {
      ...request(usageProperties({ purpose: ['scientific-research'], spatial: ['CN', 'CN-BJ'] })),
      '@context': [DSP_CONTEXT_URL, 'http://www.w3.org/ns/odrl.jsonld'],
    };
    const parsed = await parseDspMessage('TransferRequestMessage', body);
    if (!parsed.ok) expect.fail(JSON.stringify(parsed.errors));
    expect(parsed.path).to.equal('expanded');
    expect(readDeclaredUsage(parsed.message)).to.deep.equal({
      purpose: ['scientific-research'],
      spatial: ['CN', 'CN-BJ'],
    });
  });

  it('refuses a malformed declaration or signature with a 400 naming the property', async () => {
    const parsed = await parseDspMessage('TransferRequestMessage', request({ [SHUYU_PURPOSE]: [42] }));
    if (!parsed.ok) expect.fail(JSON.stringify(parsed.errors));
    const thrown = (() => {
      try {
        readDeclaredUsage(parsed.message);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(thrown).to.be.instanceOf(DspError);
    expect((thrown as DspError).status).to.equal(400);
    expect((thrown as DspError).errors[0]?.pointer).to.equal('/https:~1~1w3id.org~1shuyu~1v1#purpose');
    expect(() =>
      readSignature({ [SHUYU_PROVIDER_SIGNATURE]: 'not a jws' }, SHUYU_PROVIDER_SIGNATURE),
    ).to.throw(/compact JWS/);
    expect(readDeclaredUsage(request({}))).to.deep.equal({});
  });

  describe('agreement signatures', () => {
    let dir: string;
    let provider: ProcessIdentity;
    let consumer: ProcessIdentity;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'shuyu-signature-'));
      provider = await openProcessIdentity(join(dir, 'provider'), 'http://127.0.0.1:7711');
      consumer = await openProcessIdentity(join(dir, 'consumer'), 'http://127.0.0.1:7712');
    });
    after(() => rm(dir, { recursive: true, force: true }));

    async function templateAgreement(): Promise<Record<string, unknown>> {
      const template = JSON.parse(readFileSync('policies/templates/medical.json', 'utf8')) as object;
      return {
        '@id': 'urn:uuid:agreement-1',
        '@type': 'Agreement',
        target: 'urn:dataset:visits',
        assigner: provider.did,
        assignee: consumer.did,
        timestamp: '2026-03-01T08:00:00.000Z',
        ...(await checkedPolicy(template, '/offer')),
      };
    }

    it('hold across JSON-LD compaction: both sides check the same canonical agreement', async () => {
      const agreement = await templateAgreement();
      const { signature } = await signAgreement(agreement, provider.signer(), new Date());
      const message = {
        ...buildContractAgreementMessage({
          providerPid: 'urn:uuid:p1',
          consumerPid: 'urn:uuid:c1',
          agreement: agreement as never,
        }),
        [SHUYU_PROVIDER_SIGNATURE]: signature,
      };
      const parsed = await parseDspMessage('ContractAgreementMessage', message);
      if (!parsed.ok) expect.fail(JSON.stringify(parsed.errors));
      const received = parsed.message.agreement as unknown as Record<string, unknown>;
      // The consumer's copy is written differently (compacted), yet it is the same agreement.
      expect(JSON.stringify(received)).to.not.equal(JSON.stringify(agreement));
      expect(await agreementDigest(received)).to.equal(await agreementDigest(agreement));

      const keys = offlineKeys([provider.didDocument(), consumer.didDocument()]);
      const providerSignature = readSignature(parsed.message, SHUYU_PROVIDER_SIGNATURE) as string;
      await checkAgreementSignature(providerSignature, received, provider.did, keys);
      const verification = await signVerification(received, providerSignature, consumer.signer(), new Date());
      await checkVerificationSignature(verification.signature, agreement, signature, consumer.did, keys);
    });

    it('fail for another agreement, another signer, or another provider signature', async () => {
      const agreement = await templateAgreement();
      const keys = offlineKeys([provider.didDocument(), consumer.didDocument()]);
      const { signature } = await signAgreement(agreement, provider.signer(), new Date());
      const changed = { ...agreement, target: 'urn:dataset:other' };
      const failure = (p: Promise<unknown>) =>
        p.then(
          () => 'accepted',
          (e: Error) => e.message,
        );
      expect(await failure(checkAgreementSignature(signature, changed, provider.did, keys))).to.match(
        /does not cover this agreement/,
      );
      expect(await failure(checkAgreementSignature(signature, agreement, consumer.did, keys))).to.match(
        /signature is invalid/,
      );
      const verification = await signVerification(agreement, signature, consumer.signer(), new Date());
      expect(
        await failure(
          checkVerificationSignature(verification.signature, agreement, 'x.y.z', consumer.did, keys),
        ),
      ).to.match(/providerSignature/);
      // Only the agreement's parties may sign it.
      expect(await failure(signAgreement(agreement, consumer.signer(), new Date()))).to.match(/assigner/);
    });
  });
});
