// The participant console in Chinese, and usage left, between two real connectors over HTTP: pages
// fetched with Accept-Language zh-CN show the offer's terms in Chinese (purpose, place, date, count),
// states translated with the protocol name beside them, the connector's and the policy engine's
// refusals in Chinese, and no English sentence the connector writes; the provider's data plane says
// with every pull how many uses are left and until when, the consumer records it on the transfer and
// the console and the management API show it going down to 0, after which the next pull is refused.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchTransfer, type UsageLeft } from '../../connector/dataplane/index.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  management,
  MEMBERS_ACCESS,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitForState,
} from '../dsp/helpers.js';
import { consoleSession, type ConsoleSession } from './session.js';

const DATASET = 'urn:dataset:claims-2026';
const DATA = 'claim,amount\nC-1,120\nC-2,80\n';
const UNTIL = '2099-12-31T23:59:00+08:00';

/** English the connector writes, which a Chinese page must not show (the protocol's codes may stay). */
const ENGLISH = [
  'may use the data',
  'Members holding',
  'for scientific research',
  'at most 3 times',
  'with no time limit',
  'Forbidden:',
  'distribute the data',
  'Who may use it',
  'Usage left',
  'uses, until',
  'the request does not give',
  'a permission applies',
  'deny:',
  'The provider refused the download',
  'Transfer requested',
  'Done: the',
];

function text(page: string): string {
  return page
    .replace(/<(script|style|pre|textarea)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ');
}

function noEnglish(page: string, where: string): void {
  const shown = text(page);
  for (const phrase of ENGLISH) expect(shown, `${where} shows "${phrase}"`).not.to.include(phrase);
}

describe('participant console in Chinese, and usage left between two connectors', function () {
  this.timeout(90_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;
  let zh: ConsoleSession;
  let en: ConsoleSession;
  let agreementId: string;
  let transferId: string;

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startMember(
      space,
      'provider',
      hospitalApplication({ organisationName: 'Provider Hospital' }),
    );
    consumer = await startMember(space, 'consumer', hospitalApplication());
    await publish(
      provider,
      [assetInput(DATASET, provider.did, { dataAddress: { kind: 'inline', data: DATA } })],
      [
        {
          id: 'three-uses',
          assetSelector: { assetIds: [DATASET] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: {
            '@type': 'Offer',
            uid: 'urn:test:contract:three-uses',
            profile: 'https://w3id.org/shuyu/v1',
            permission: [
              {
                action: 'use',
                constraint: [
                  {
                    leftOperand: 'shuyu:credentialType',
                    operator: 'hasPart',
                    rightOperand: 'MembershipCredential',
                  },
                  { leftOperand: 'purpose', operator: 'isA', rightOperand: 'scientific-research' },
                  { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: 'CN' },
                  {
                    leftOperand: 'count',
                    operator: 'lteq',
                    rightOperand: { '@value': '3', '@type': 'xsd:integer' },
                  },
                  {
                    leftOperand: 'dateTime',
                    operator: 'lteq',
                    rightOperand: { '@value': UNTIL, '@type': 'xsd:dateTime' },
                  },
                ],
              },
            ],
            prohibition: [{ action: 'distribute' }],
          },
        },
      ],
    );
    const base = consumer.consoleUrl.replace(/\/console$/, '');
    zh = await consoleSession(base, consumer.managementApiKey, {
      acceptLanguage: 'zh-CN,zh;q=0.9,en;q=0.5',
      cookie: 'shuyu_tz=Asia%2FShanghai',
    });
    en = await consoleSession(base, consumer.managementApiKey, {
      acceptLanguage: 'en-GB',
      cookie: 'shuyu_tz=Asia%2FShanghai',
    });
  });
  after(async () => space?.close());

  it('shows a connector’s offer in Chinese words: purpose, place, date and count', async () => {
    const query = new URLSearchParams({ address: `${provider.url}/dsp`, did: provider.did });
    const page = await zh.get(`/console/discover/connector?${query.toString()}`);
    const shown = text(page);
    expect(shown)
      .to.include('谁可以使用')
      .and.include('仅限用途：科学研究（含其下级用途）')
      .and.include('使用地点：中国 (CN)')
      .and.include('最多使用 3 次')
      .and.include('截止 2099年12月31日 23:59 (+08:00)')
      .and.include('禁止：分发数据。');
    noEnglish(page, 'the catalog page');
    // The same offer in English, unchanged wording.
    expect(text(await en.get(`/console/discover/connector?${query.toString()}`)))
      .to.include('use the data for scientific research (or a narrower purpose) in China')
      .and.include('at most 3 times, until 2099-12-31 23:59 (+08:00)');
  });

  it('translates states and the terms of the agreement on the contract page', async () => {
    const started = await startNegotiation(
      consumer,
      provider,
      DATASET,
      catalogOfferId('three-uses', DATASET),
    );
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const done = await waitForState(consumer, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    agreementId = String(done.agreementId);
    const page = await zh.get(`/console/contracts/${encodeURIComponent(String(started.body.id))}`);
    expect(page).to.match(/id="negotiation-state">\s*已生效 <code class="code">FINALIZED<\/code>/);
    expect(text(page)).to.include('已达成协议').and.include('最多使用 3 次');
    noEnglish(page, 'the contract page');
    const list = await zh.get('/console/contracts');
    expect(text(list)).to.include('已生效 FINALIZED');
    // English pages keep the protocol's names alone.
    expect(await en.get(`/console/contracts/${encodeURIComponent(String(started.body.id))}`)).to.match(
      /id="negotiation-state">\s*FINALIZED\s*</,
    );
  });

  it('says in Chinese what is wrong with a form, and why the provider refused a transfer', async () => {
    // The console's form without purpose and place: refused here, field by field.
    const posted = await zh.post('/console/transfers/start', { agreementId, format: 'HttpData-PULL' });
    expect(posted.status).to.equal(303);
    const back = await zh.get(String(posted.headers.get('location')).replace(/^https?:\/\/[^/]+/, ''));
    expect(text(back)).to.include('表单有误。 用途：须至少填写一个值；使用地点：须至少填写一个值');
    noEnglish(back, 'the refused form');
    // Through the management API with no purpose at all: the provider refuses each pull (uncounted).
    const requested = await management(consumer).post('/transfers', { agreementId, format: 'HttpData-PULL' });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const id = String(requested.body.id);
    await waitForState(consumer, `/transfers/${pid(id)}`, 'STARTED');
    const refused = await zh.get(`/console/transfers/${encodeURIComponent(id)}/download`);
    expect(text(refused))
      .to.include('提供方拒绝了下载（HTTP 403）')
      .and.include('使用策略拒绝了此次访问。 拒绝：请求缺少约束所需的值，因此引擎拒绝（失败即拒绝）')
      .and.include('（约束 purpose isA scientific-research：请求未提供使用用途）');
    noEnglish(refused, 'the refused download');
    const terminated = await zh.post(`/console/transfers/${encodeURIComponent(id)}/terminate`, {
      reason: '',
    });
    expect(terminated.status).to.equal(303);
    const page = await zh.get(`/console/transfers/${encodeURIComponent(id)}`);
    expect(text(page)).to.include('已终止 TERMINATED').and.include('由操作员终止');
    noEnglish(page, 'the terminated transfer');
  });

  it('counts down the uses left on each pull, in the console and the management API, and refuses the next', async () => {
    const posted = await zh.post('/console/transfers/start', {
      agreementId,
      format: 'HttpData-PULL',
      purpose: 'scientific-research',
      place: 'CN-BJ',
    });
    transferId = decodeURIComponent(String(posted.headers.get('location')).split('/').pop() ?? '');
    const started = await waitForState(consumer, `/transfers/${pid(transferId)}`, 'STARTED');
    const before = text(await zh.get(`/console/transfers/${encodeURIComponent(transferId)}`));
    expect(before).to.include('传输中 STARTED').and.include('尚不知道：提供方会在每次下载时告知');

    // Two pulls through the console, one with fetchTransfer: the provider's count goes 2, 1, 0.
    const remaining: number[] = [];
    for (let i = 0; i < 2; i++) {
      const page = await zh.get(`/console/transfers/${encodeURIComponent(transferId)}/download`);
      expect(page).to.equal(DATA);
      const left = (await management(consumer).get(`/transfers/${pid(transferId)}/usage-left`)).body;
      remaining.push(Number(left.remaining));
      expect(left).to.include({ limit: 3, until: '2099-12-31T15:59:00.000Z', role: 'consumer' });
    }
    const access = started.access as { endpoint: string; authorization: string };
    const seen: UsageLeft[] = [];
    await fetchTransfer({
      ...access,
      outFile: `${space.dir}/claims.csv`,
      allowPrivateAddresses: true,
      onUsageLeft: (left) => seen.push(left),
    });
    remaining.push(Number(seen.at(-1)?.remaining));
    expect(remaining).to.deep.equal([2, 1, 0]);
    expect(seen.at(-1)).to.deep.equal({ limit: 3, remaining: 0, until: '2099-12-31T15:59:00.000Z' });

    // The provider computes the same from its meter.
    const providerSide = await management(provider).get(
      `/transfers/${pid(String(started.providerPid))}/usage-left`,
    );
    expect(providerSide.body).to.include({ role: 'provider', limit: 3, remaining: 0 });

    // The fourth pull is refused, with the reason in Chinese; the page shows nothing left.
    const page = await zh.get(`/console/transfers/${encodeURIComponent(transferId)}/download`);
    expect(text(page)).to.include('提供方拒绝了下载（HTTP 403）').and.include('使用策略拒绝了此次访问');
    noEnglish(page, 'the refused download');
    const after = await zh.get(`/console/transfers/${encodeURIComponent(transferId)}`);
    expect(text(after)).to.include('剩余 0 次（共 3 次），有效期至 2099-12-31 23:59 (+08:00)');
    noEnglish(after, 'the transfer page');
    expect(text(await en.get(`/console/transfers/${encodeURIComponent(transferId)}`))).to.include(
      'Usage left 0 of 3 uses, until 2099-12-31 23:59 (+08:00)',
    );
  });

  it('explains the policy engine’s decision in Chinese', async () => {
    const read = (name: string) => readFileSync(join('policies', 'templates', name), 'utf8');
    const posted = await zh.post('/console/publish/policy-evaluate', {
      policy: read('medical.json'),
      request: read('requests/medical-deny.json'),
    });
    const page = await posted.text();
    expect(page).to.match(/id="decision"\s*>\s*拒绝 <code class="code">deny<\/code>/);
    const reason = text(/<p id="reason">([\s\S]*?)<\/p>/.exec(page)?.[1] ?? '');
    expect(reason).to.match(/^ ?拒绝：有适用的许可，但其约束未满足（约束 /);
    const explanation = /<pre id="explanation">([\s\S]*?)<\/pre>/.exec(page)?.[1] ?? '';
    expect(explanation).to.include('决定：拒绝，因为有适用的许可，但其约束未满足').and.include('未满足');
    noEnglish(page, 'the policy check');
  });

  it('records what a consumer’s own tools were told, and refuses bad input', async () => {
    const api = management(consumer);
    const bad = await api.put(`/transfers/${pid(transferId)}/usage-left`, { remaining: -1, until: 'soon' });
    expect(bad.status).to.equal(400);
    const unknown = await api.get('/transfers/urn:uuid:nope/usage-left');
    expect(unknown.status).to.equal(404);
    const before = (await api.get(`/transfers/${pid(transferId)}/usage-left`)).body;
    expect(before).to.include({ remaining: 0, limit: 3 });
  });
});
