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
});
