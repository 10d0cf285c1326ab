// Use-time usage control in the meter: counts (atomic, rolled back on denial, surviving a restart),
// dateTime and elapsedTime expiry, purpose and spatial, each refusal carrying the engine's reason.
import { expect } from 'chai';
import { join } from 'node:path';
import { DATAPLANE_MIGRATIONS, UsageMeter, type AccessContext } from '../../connector/dataplane/index.js';
import type { Store } from '../../connector/store/database.js';
import { openTestStore } from '../support/store.js';
import { CONSUMER_DID, TestClock, agreementPolicy, removeTempDirs, tempDir, thrown } from './helpers.js';

const c = (leftOperand: string, operator: string, rightOperand: unknown) => ({
  leftOperand,
  operator,
  rightOperand,
});

describe('dataplane/usage', () => {
  let file: string;
  let db: Store;
  let meter: UsageMeter;
  const clock = new TestClock();
  const context = (extra: Partial<AccessContext> = {}): AccessContext => ({
    agreementId: 'agreement-1',
    consumerDid: CONSUMER_DID,
    target: 'urn:dataset:outpatient-visits-2025',
    ...extra,
  });

  beforeEach(async () => {
    clock.current = new Date('2026-06-01T08:00:00Z');
    file = join(await tempDir(), 'usage.sqlite');
    db = await openTestStore(file, DATAPLANE_MIGRATIONS);
    meter = new UsageMeter(db, { clock: clock.now });
  });
  afterEach(() => db.close());
  after(removeTempDirs);

  it('counts each access and refuses the one over the limit with the reason; the refusal is not counted', async () => {
    const policy = await agreementPolicy([c('count', 'lteq', 3)]);
    for (let i = 1; i <= 3; i++) expect((await meter.authorizeAccess(policy, context())).count).to.equal(i);
    const error = await thrown(() => meter.authorizeAccess(policy, context()));
    expect(error.code).to.equal('ERR_USAGE_DENIED');
    expect(error.details?.decisionCode).to.equal('CONSTRAINT_NOT_SATISFIED');
    expect(error.message).to.match(/^deny: .*count lteq 3/);
    expect((await meter.usage('agreement-1'))?.count).to.equal(3);
  });

  it('a dry run decides without counting', async () => {
    const policy = await agreementPolicy([c('count', 'lteq', 1)]);
    await meter.authorizeAccess(policy, context(), { dryRun: true });
    await meter.authorizeAccess(policy, context(), { dryRun: true });
    expect(await meter.usage('agreement-1')).to.equal(undefined);
    await meter.authorizeAccess(policy, context());
    expect((await thrown(() => meter.authorizeAccess(policy, context(), { dryRun: true }))).code).to.equal(
      'ERR_USAGE_DENIED',
    );
  });

  it('concurrent accesses cannot overrun the count: 50 at limit 10 give exactly 10 grants', async () => {
    const policy = await agreementPolicy([c('count', 'lteq', 10)]);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => meter.authorizeAccess(policy, context())),
    );
    const granted = results.filter((r) => r.status === 'fulfilled');
    expect(granted).to.have.length(10);
    expect(
      granted.map((r) => (r as PromiseFulfilledResult<{ count: number }>).value.count).sort((a, b) => a - b),
    ).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await meter.usage('agreement-1'))?.count).to.equal(10);
  });

  it('the counter and the first use survive a restart', async () => {
    const policy = await agreementPolicy([c('count', 'lteq', 2)]);
    await meter.authorizeAccess(policy, context());
    await meter.authorizeAccess(policy, context());
    await db.close();
    db = await openTestStore(file, DATAPLANE_MIGRATIONS);
    meter = new UsageMeter(db, { clock: clock.now });
    expect((await meter.usage('agreement-1'))?.firstUseAt.toISOString()).to.equal('2026-06-01T08:00:00.000Z');
    expect((await thrown(() => meter.authorizeAccess(policy, context()))).code).to.equal('ERR_USAGE_DENIED');
  });

  it('counts per agreement', async () => {
    const policy = await agreementPolicy([c('count', 'lteq', 1)]);
    await meter.authorizeAccess(policy, context());
    await meter.authorizeAccess(policy, context({ agreementId: 'agreement-2' }));
    expect((await thrown(() => meter.authorizeAccess(policy, context()))).code).to.equal('ERR_USAGE_DENIED');
  });

  it('refuses after the agreement expires (dateTime), with the reason', async () => {
    const policy = await agreementPolicy([
      c('dateTime', 'lt', { '@value': '2026-07-01T00:00:00Z', '@type': 'xsd:dateTime' }),
    ]);
    await meter.authorizeAccess(policy, context());
    clock.current = new Date('2026-07-01T00:00:01Z');
    const error = await thrown(() => meter.authorizeAccess(policy, context()));
    expect(error.code).to.equal('ERR_USAGE_DENIED');
    expect(error.message).to.contain('dateTime lt 2026-07-01T00:00:00Z');
  });

  it('refuses once elapsedTime since the first use passes the limit, with the reason', async () => {
    const policy = await agreementPolicy([
      c('elapsedTime', 'lteq', { '@value': 'PT1H', '@type': 'xsd:duration' }),
    ]);
    const first = await meter.authorizeAccess(policy, context());
    expect(first.elapsedSeconds).to.equal(0);
    clock.advance(30 * 60_000);
    expect((await meter.authorizeAccess(policy, context())).elapsedSeconds).to.equal(1800);
    clock.advance(31 * 60_000);
    const error = await thrown(() => meter.authorizeAccess(policy, context()));
    expect(error.code).to.equal('ERR_USAGE_DENIED');
    expect(error.message).to.contain('elapsedTime lteq PT1H');
    expect((await meter.usage('agreement-1'))?.firstUseAt.toISOString()).to.equal('2026-06-01T08:00:00.000Z');
  });

  it('decides purpose and spatial from the access context', async () => {
    const policy = await agreementPolicy([
      c('purpose', 'isA', 'scientific-research'),
      c('spatial', 'isPartOf', 'CN'),
    ]);
    await meter.authorizeAccess(policy, context({ purpose: 'clinical-research', spatial: 'CN-BJ' }));
    const wrongPlace = await thrown(() =>
      meter.authorizeAccess(policy, context({ purpose: 'clinical-research', spatial: 'US' })),
    );
    expect(wrongPlace.message).to.contain('spatial isPartOf CN');
    const wrongPurpose = await thrown(() =>
      meter.authorizeAccess(policy, context({ purpose: 'marketing', spatial: 'CN' })),
    );
    expect(wrongPurpose.message).to.contain('purpose isA scientific-research');
    const unproven = await thrown(() => meter.authorizeAccess(policy, context({ spatial: 'CN' })));
    expect(unproven.details?.decisionCode).to.equal('MISSING_INFORMATION');
  });

  it('refuses a consumer the agreement is not assigned to', async () => {
    const policy = await agreementPolicy();
    const error = await thrown(() =>
      meter.authorizeAccess(policy, context({ consumerDid: 'did:web:intruder.example' })),
    );
    expect(error.details?.decisionCode).to.equal('NO_RULE_APPLIES');
  });
});
