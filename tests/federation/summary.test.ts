// Offer summaries for the console: who may use the data, for what, until when, with which duties,
// and what is forbidden, from the sector templates and from a DSP catalog offer.
import { expect } from 'chai';
import { offerFeatures, summariseOffer } from '../../catalog/federation/index.js';
import { compilePolicySync } from '../../policies/index.js';
import { template } from './helpers.js';

describe('federation: offer summaries and features', () => {
  it('says who may use medical data, for what, until when and with which duties', async () => {
    const summary = await summariseOffer(template('medical'));
    const [permission] = summary.permissions;
    expect(permission?.who).to.equal(
      'Members holding MembershipCredential and SectorCredential, in the medical sector (or a narrower sector), ' +
        'acting as hospital or research institute and cleared for important data or higher',
    );
    expect(permission?.what).to.equal(
      'use the data for scientific research (or a narrower purpose) in China',
    );
    expect(permission?.when).to.equal(
      'from 2026-01-01+08:00, before 2028-01-01+08:00, for at most 180 days after first use',
    );
    expect(permission?.duties).to.deep.equal([
      'anonymise the data',
      'delete the data within 180 days of first use',
    ]);
    expect(summary.prohibitions).to.deep.equal([
      'Forbidden: distribute the data (if it happens: delete the data).',
    ]);
    expect(summary.sentences).to.have.length(2);
  });

  it('names prices, counts and places, and reads alternatives', async () => {
    const finance = await summariseOffer(template('finance'));
    expect(finance.permissions[0]?.duties).to.deep.equal(['pay 5000.00 CNY']);
    expect(finance.permissions[0]?.when).to.match(/at most 1000 times, for at most 30 days after first use/);
    const energy = await summariseOffer(template('energy'));
    expect(energy.permissions[0]?.what).to.match(
      /load forecasting, demand response or charging network planning in Beijing/,
    );
    const education = await summariseOffer(template('education'));
    expect(education.permissions[0]?.what).to.match(
      /either \(for education statistics or teaching improvement\) or \(/,
    );
    expect(education.prohibitions).to.include(
      'Forbidden: use the data for marketing (or a narrower purpose).',
    );
  });

  it('reads a DSP catalog offer (full-IRI operands) and says when an offer cannot be read', async () => {
    const offer = {
      '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
      '@id': 'urn:offer',
      '@type': 'Offer',
      permission: [
        {
          action: 'use',
          constraint: [
            { leftOperand: 'https://w3id.org/shuyu/v1#sector', operator: 'eq', rightOperand: 'energy' },
          ],
        },
      ],
    };
    expect((await summariseOffer(offer)).sentences).to.deep.equal([
      'Members in the energy sector may use the data, with no time limit.',
    ]);
    const broken = await summariseOffer({
      permission: [
        { action: 'use', constraint: [{ leftOperand: 'colour', operator: 'eq', rightOperand: 'red' }] },
      ],
    });
    expect(broken.sentences[0]).to.match(/^This offer cannot be read, so it permits nothing: .*colour/);
  });

  it('extracts facets: permitted purposes and places, required credentials, price', () => {
    const features = (name: 'medical' | 'finance' | 'education') =>
      offerFeatures(compilePolicySync(template(name)).policy.policy);
    expect(features('medical')).to.deep.equal({
      purposes: ['scientific-research'],
      regions: ['CN'],
      credentials: ['MembershipCredential', 'SectorCredential'],
      price: 'free',
      prices: [],
    });
    expect(features('finance')).to.include({ price: 'paid' });
    expect(features('finance').prices).to.deep.equal(['5000.00 CNY']);
    // Prohibited purposes are not features; alternatives are.
    expect(features('education').purposes).to.deep.equal([
      'academic-research',
      'education-statistics',
      'teaching-improvement',
    ]);
    expect(
      offerFeatures(compilePolicySync({ permission: [{ action: 'use' }] }).policy.policy),
    ).to.include.keys('purposes');
    expect(
      offerFeatures(compilePolicySync({ permission: [{ action: 'use' }] }).policy.policy).purposes,
    ).to.deep.equal(['(any)']);
  });

  it('says the same in Chinese: purposes, places, dates, counts and duties in natural Chinese', async () => {
    const medical = await summariseOffer(template('medical'), { locale: 'zh-CN' });
    const [permission] = medical.permissions;
    expect(permission?.who).to.equal(
      '成员（持有 MembershipCredential 和 SectorCredential；属于医疗行业（含其下级行业）；' +
        '身份为医院或科研机构；具有重要数据或更高级别的数据分级许可）',
    );
    expect(permission?.what).to.equal('使用数据（仅限用途：科学研究（含其下级用途）；使用地点：中国 (CN)）');
    expect(permission?.when).to.equal('自 2026年1月1日 起，2028年1月1日 之前，自首次使用起最多 180 天');
    expect(permission?.duties).to.deep.equal(['对数据进行匿名化处理', '在首次使用后 180 天内删除数据']);
    expect(medical.prohibitions).to.deep.equal(['禁止：分发数据（如有违反：删除数据）。']);
    const education = await summariseOffer(template('education'), { locale: 'zh-CN' });
    expect(education.prohibitions).to.include('禁止：使用数据（用途为市场营销（含其下级用途）时）。');
    const offer = {
      permission: [
        {
          action: 'use',
          constraint: [
            { leftOperand: 'purpose', operator: 'eq', rightOperand: 'insurance-claims-settlement' },
            { leftOperand: 'spatial', operator: 'eq', rightOperand: 'CN-BJ' },
            {
              leftOperand: 'dateTime',
              operator: 'lteq',
              rightOperand: { '@value': '2026-12-31T23:59:00+08:00', '@type': 'xsd:dateTime' },
            },
            { leftOperand: 'count', operator: 'lteq', rightOperand: 10 },
          ],
          duty: [
            {
              action: {
                'rdf:value': { '@id': 'odrl:delete' },
                refinement: [
                  {
                    leftOperand: 'elapsedTime',
                    operator: 'lteq',
                    rightOperand: { '@value': 'P30D', '@type': 'xsd:duration' },
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    expect((await summariseOffer(offer, { locale: 'zh-CN' })).sentences).to.deep.equal([
      '能看到此要约的任何人可以使用数据（仅限用途：保险理赔结算；使用地点：北京 (CN-BJ)），' +
        '截止 2026年12月31日 23:59 (+08:00)，最多使用 10 次。须：在首次使用后 30 天内删除数据。',
    ]);
    // Instants in the viewer's zone, in both languages.
    const berlin = await summariseOffer(offer, { locale: 'zh-CN', timeZone: 'Europe/Berlin' });
    expect(berlin.permissions[0]?.when).to.equal('截止 2026年12月31日 16:59 (+01:00)，最多使用 10 次');
    const english = await summariseOffer(offer, { timeZone: 'Asia/Shanghai' });
    expect(english.permissions[0]?.when).to.equal('until 2026-12-31 23:59 (+08:00), at most 10 times');
    const broken = await summariseOffer(
      {
        permission: [
          { action: 'use', constraint: [{ leftOperand: 'colour', operator: 'eq', rightOperand: 'red' }] },
        ],
      },
      { locale: 'zh-CN' },
    );
    expect(broken.sentences[0]).to.match(/^此要约无法读取，因此不允许任何使用：.*colour/);
  });
});
