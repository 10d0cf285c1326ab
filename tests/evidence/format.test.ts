// The README's byte-exact worked example: if this fails, the README or the format changed.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import {
  GENESIS_PREV_HASH,
  entryLeafHash,
  entryPreimage,
  hashChildren,
  type EntryContent,
} from '../../connector/evidence/index.js';

describe('evidence: the documented format', () => {
  it('matches the README worked example, recomputed with plain SHA-256', () => {
    const e0: EntryContent = {
      seq: 0,
      at: '2026-03-01T08:00:00.000Z',
      kind: 'agreement',
      subject: 'urn:uuid:3f1c',
      data: { provider: 'did:web:provider.example', consumer: 'did:web:consumer.example' },
      prevHash: GENESIS_PREV_HASH,
    };
    const preimage0 =
      '{"at":"2026-03-01T08:00:00.000Z","data":{"consumer":"did:web:consumer.example","provider":"did:web:provider.example"},' +
      '"kind":"agreement","prevHash":"0000000000000000000000000000000000000000000000000000000000000000","seq":0,"subject":"urn:uuid:3f1c"}';
    expect(entryPreimage(e0)).to.equal(preimage0);
    const leaf0 = createHash('sha256')
      .update(Buffer.from([0]))
      .update(preimage0)
      .digest('hex');
    expect(leaf0).to.equal('b01ffe0634b62eec058c711411a5e3549f2395a0d581a1a0c416ec1748b646ea');
    expect(entryLeafHash(e0)).to.equal(leaf0);

    const e1: EntryContent = {
      seq: 1,
      at: '2026-03-01T08:00:05.250Z',
      kind: 'transfer-state',
      subject: 'urn:uuid:9a7e',
      data: { state: 'STARTED', agreement: 'urn:uuid:3f1c' },
      prevHash: leaf0,
    };
    expect(entryLeafHash(e1)).to.equal('d9d3de738b5c467a5af125aadfcfd4d9f3ce65050f900fb715a0931a9561d68e');
    const root = createHash('sha256')
      .update(Buffer.from([1]))
      .update(Buffer.from(leaf0, 'hex'))
      .update(Buffer.from(entryLeafHash(e1), 'hex'))
      .digest('hex');
    expect(root).to.equal('a6924913afbb59aec160a425ceb66f362b138fff840f135325f84b7d269729ea');
    expect(
      hashChildren(Buffer.from(leaf0, 'hex'), Buffer.from(entryLeafHash(e1), 'hex')).toString('hex'),
    ).to.equal(root);
  });
});
