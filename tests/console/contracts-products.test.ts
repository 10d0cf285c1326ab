// The participant console over plain HTTP against real connectors and a real authority: a held negotiation
// answered with a counter-offer built by the form (the common terms over the current offer, checked by the
// policy engine; a bad one refused with nothing sent), the negotiation's timeline with a date per state from
// the evidence log on both sides, and a data product applied for from the console and registered by a
// reviewer in the authority's console.
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
  startNegotiation,
  waitFor,
  waitForState,
} from '../dsp/helpers.js';
import { consoleSession, noticeAfter, type ConsoleSession } from './session.js';

const HELD = 'urn:dataset:held-visits';

describe('participant console: counter-offer form, negotiation timeline, data products', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;
  let providerConsole: ConsoleSession;
  let consumerConsole: ConsoleSession;
  let providerPid = '';
  let consumerPid = '';

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startMember(space, 'provider', hospitalApplication());
    consumer = await startMember(
      space,
      'consumer',
      hospitalApplication({ organisationName: 'Haidian Clinic 海淀诊所', registrationNumber: USCC_B }),
    );
    await publish(
      provider,
      [assetInput(HELD, provider.did, { title: 'Held visits' })],
      [
        {
          id: 'reviewed',
          assetSelector: { assetIds: [HELD] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
          approval: 'manual',
        },
      ],
    );
    providerConsole = await consoleSession(
      provider.consoleUrl.replace(/\/console$/, ''),
      provider.managementApiKey,
    );
    consumerConsole = await consoleSession(
      consumer.consoleUrl.replace(/\/console$/, ''),
      consumer.managementApiKey,
    );
    const started = await startNegotiation(consumer, provider, HELD, catalogOfferId('reviewed', HELD));
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    consumerPid = String(started.body['@id'] ?? started.body.id);
    const held = await waitFor('the provider to hold the request', async () => {
      const list = await management(provider).get('/negotiations');
      const records = (list.body.negotiations ?? list.body.items ?? []) as Record<string, unknown>[];
      return records.find((r) => r.pendingAction === true);
    });
    providerPid = String(held.id);
  });

  after(async () => {
    await space?.close();
  });

  it('refuses a counter-offer that is not a valid policy, with the reason, and sends nothing', async () => {
    const before = await management(provider).get(`/negotiations/${encodeURIComponent(providerPid)}`);
    const path = `/console/contracts/${encodeURIComponent(providerPid)}/offer`;
    const notJson = await noticeAfter(providerConsole, await providerConsole.post(path, { offer: '{oops' }));
    expect(notJson).to.include('not a JSON object');
    const badAction = JSON.stringify({ permission: [{ action: 'teleport' }] });
    const invalid = await noticeAfter(
      providerConsole,
      await providerConsole.post(path, { offer: badAction }),
    );
    expect(invalid).to.include('not a valid policy').and.include('/permission/0');
    const after = await management(provider).get(`/negotiations/${encodeURIComponent(providerPid)}`);
    expect(after.body).to.include({ state: 'REQUESTED', version: before.body.version, pendingAction: true });
  });

  it('sends a counter-offer built from the current offer and the common terms filled in', async () => {
    const page = await providerConsole.get(`/console/contracts/${encodeURIComponent(providerPid)}`);
    expect(page).to.include('id="counter-form"').and.include('name="maxUses"');
    const sent = await providerConsole.post(`/console/contracts/${encodeURIComponent(providerPid)}/offer`, {
      maxUses: '5',
      purpose: 'scientific-research',
      until: '2098-12-31',
    });
    expect(await noticeAfter(providerConsole, sent)).to.include('Done: the negotiation is now OFFERED');
    // The consumer received the counter-offer: the old terms kept, the two filled in written over them.
    const offered = await waitForState(
      consumer,
      `/negotiations/${encodeURIComponent(consumerPid)}`,
      'OFFERED',
    );
    const permission = (offered.offer as { permission: { constraint: Record<string, unknown>[] }[] })
      .permission[0]!;
    const term = (c: Record<string, unknown>) => String(c.leftOperand).replace(/^.*[#:/]/, '');
    // count and purpose added, the end date replaced (one dateTime, the new one), the sector kept.
    expect(permission.constraint.map(term).sort()).to.deep.equal(
      ['count', 'credentialType', 'dateTime', 'purpose', 'sector'].sort(),
    );
    expect(JSON.stringify(permission.constraint.find((c) => term(c) === 'dateTime'))).to.include(
      '2098-12-31',
    );
    expect(String(permission.constraint.find((c) => term(c) === 'count')?.operator)).to.match(/lteq$/);
  });

  it('shows the timeline with a date per state from the evidence log, on both sides', async () => {
    const accepted = await consumerConsole.post(
      `/console/contracts/${encodeURIComponent(consumerPid)}/accept`,
      {},
    );
    expect(await noticeAfter(consumerConsole, accepted)).to.include('ACCEPTED');
    // The provider agrees when its operator says so (held in ACCEPTED), or on its own: either way the
    // same states follow.
    const path = `/negotiations/${encodeURIComponent(providerPid)}`;
    const reached = await waitFor('the provider to agree or wait for its operator', async () => {
      const { body } = await management(provider).get(path);
      return body.state === 'ACCEPTED' && body.pendingAction === true
        ? 'held'
        : ['AGREED', 'VERIFIED', 'FINALIZED'].includes(String(body.state))
          ? 'agreed'
          : undefined;
    });
    if (reached === 'held') {
      const agreed = await providerConsole.post(
        `/console/contracts/${encodeURIComponent(providerPid)}/agree`,
        {},
      );
      expect(await noticeAfter(providerConsole, agreed)).to.include('AGREED');
    }
    await waitForState(provider, `/negotiations/${encodeURIComponent(providerPid)}`, 'FINALIZED');
    await waitForState(consumer, `/negotiations/${encodeURIComponent(consumerPid)}`, 'FINALIZED');
    const expected = {
      provider: ['REQUESTED', 'OFFERED', 'ACCEPTED', 'AGREED', 'VERIFIED', 'FINALIZED'],
      consumer: ['REQUESTED', 'OFFERED', 'ACCEPTED', 'AGREED', 'VERIFIED', 'FINALIZED'],
    };
    for (const [session, pid, states] of [
      [providerConsole, providerPid, expected.provider],
      [consumerConsole, consumerPid, expected.consumer],
    ] as const) {
      const page = await session.get(`/console/contracts/${encodeURIComponent(pid)}`);
      const timeline = /<ol class="timeline" id="timeline">([\s\S]*?)<\/ol>/.exec(page)?.[1] ?? '';
      const items = [...timeline.matchAll(/<li[^>]*data-state="([A-Z]+)"[^>]*>([\s\S]*?)<\/li>/g)];
      expect(items.map((m) => m[1])).to.deep.equal(states);
      // Each state with the time it was reached (a <time> the page script shows in the viewer's zone).
      for (const item of items) expect(item[2]).to.match(/<time datetime="\d{4}-\d\d-\d\dT[^"]+Z"/);
    }
    // The same changes are in the evidence log, with the agreement's entries (shuyu evidence list --agreement).
    const negotiation = await management(consumer).get(`/negotiations/${encodeURIComponent(consumerPid)}`);
    const evidence = await management(consumer).get(
      `/evidence?agreementId=${encodeURIComponent(String(negotiation.body.agreementId))}`,
    );
    const kinds = (evidence.body.entries as { kind: string }[]).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'negotiation-state')).to.have.length(6);
    expect(kinds).to.include('agreement');
  });

  it('applies for a data product from the console; a reviewer registers it in the authority console', async () => {
    const form = await providerConsole.get('/console/products');
    expect(form).to.include('id="product-form"').and.include(`value="${HELD}"`);
    // A bad description: the authority's reasons come back, nothing is stored.
    const bad = await providerConsole.post('/console/products', {
      nameZh: '门诊',
      nameEn: '',
      datasetIds: HELD,
    });
    expect(await noticeAfter(providerConsole, bad)).to.include('/name/en');
    expect((await management(provider).get('/products')).body.products).to.deep.equal([]);

    const applied = await providerConsole.post('/console/products', {
      nameZh: '门诊就诊统计',
      nameEn: 'Outpatient visit statistics',
      dataSourceZh: '医院信息系统',
      dataSourceEn: 'Hospital information system',
      scopeZh: '北京，2020年起',
      scopeEn: 'Beijing, since 2020',
      updateFrequency: 'monthly',
      dataGrade: 'general',
      complianceZh: '已完成影响评估',
      complianceEn: 'Impact assessment completed',
      assessor: 'Beijing Data Compliance Ltd.',
      assessedOn: '2026-01-15',
      datasetIds: HELD,
    });
    expect(await noticeAfter(providerConsole, applied)).to.match(
      /Applied: product application .+ is pending/,
    );

    const admin = await consoleSession(space.authority.admin.url, space.adminKey);
    const queue = await admin.get('/console/admin');
    const id = /data-product-application="([^"]+)"/.exec(queue)?.[1];
    const pending = (await space.admin('GET', '/products?state=pending')).body.products as { id: string }[];
    expect(pending.map((p) => p.id)).to.include(id);
    const registered = await admin.post('/console/admin/products/approve', { id: id ?? '' });
    expect(registered.status).to.equal(303);
    const list = await providerConsole.get('/console/products');
    expect(list).to.match(/<strong class="product-id">SY-[A-Z0-9]+-\d{4}-\d{6}-[0-9A-Z]<\/strong>/);
    expect(list).to.include('registered');
  });
});
