// Same meaning, same decision: one policy written in every JSON(-LD) form Shuyu accepts must decide
// a table of requests identically. Also: the W3C context's typos, unbundled contexts (refused, never
// fetched), JSON pointers into the document as written, the synchronous compiler, and the DSP
// 2025-1 specification's own example offers (copied into fixtures/).
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import jsonld from 'jsonld';
import {
  compilePolicy,
  compilePolicySync,
  createDocumentLoader,
  type CompiledPolicy,
  type Decision,
  type EvaluationRequest,
} from '../../policies/index.js';
import {
  decide,
  expectDecision,
  expectDeniesEverything,
  type Json,
  type JsonObject,
  problem,
  problemsOf,
  req,
} from './helpers.js';

const O = 'http://www.w3.org/ns/odrl/2/';
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const SHUYU = 'https://w3id.org/shuyu/v1#';
const DSP_CONTEXT = 'https://w3id.org/dspace/2025/1/context.jsonld';
const ODRL_CONTEXT = 'http://www.w3.org/ns/odrl.jsonld';

// ---- One policy, seven ways -------------------------------------------------------------------

/** (1) Plain compact JSON, as DSP peers send it without a context. */
const plain: JsonObject = {
  uid: 'urn:policy:forms',
  '@type': 'Offer',
  permission: [
    {
      action: 'use',
      constraint: [
        { leftOperand: 'purpose', operator: 'isA', rightOperand: 'scientific-research' },
        { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: 'CN' },
        {
          leftOperand: 'dateTime',
          operator: 'lt',
          rightOperand: { '@value': '2027-01-01', '@type': 'xsd:date' },
        },
        { leftOperand: 'count', operator: 'lteq', rightOperand: { '@value': '5', '@type': 'xsd:integer' } },
        { leftOperand: 'shuyu:sector', operator: 'isAnyOf', rightOperand: ['medical', 'finance'] },
      ],
      duty: [{ uid: 'urn:duty:attribute', action: 'attribute' }],
    },
  ],
  prohibition: [{ action: 'distribute' }],
};

/** (2) With the DSP 2025-1 context (and @id, as DSP writes it). */
const dsp: JsonObject = { '@context': [DSP_CONTEXT], '@id': 'urn:policy:forms', ...withoutUid(plain) };

/** (3) With the W3C ODRL context. */
const w3c: JsonObject = { '@context': ODRL_CONTEXT, ...plain };

/** (4) odrl:-prefixed keys and terms. */
const prefixed: JsonObject = {
  '@id': 'urn:policy:forms',
  '@type': 'odrl:Offer',
  'odrl:permission': [
    {
      'odrl:action': 'odrl:use',
      'odrl:constraint': [
        {
          'odrl:leftOperand': 'odrl:purpose',
          'odrl:operator': 'odrl:isA',
          'odrl:rightOperand': 'scientific-research',
        },
        { 'odrl:leftOperand': 'odrl:spatial', 'odrl:operator': 'odrl:isPartOf', 'odrl:rightOperand': 'CN' },
        {
          'odrl:leftOperand': 'odrl:dateTime',
          'odrl:operator': 'odrl:lt',
          'odrl:rightOperand': { '@value': '2027-01-01', '@type': 'xsd:date' },
        },
        {
          'odrl:leftOperand': 'odrl:count',
          'odrl:operator': 'odrl:lteq',
          'odrl:rightOperand': { '@value': '5', '@type': 'xsd:integer' },
        },
        {
          'odrl:leftOperand': 'shuyu:sector',
          'odrl:operator': 'odrl:isAnyOf',
          'odrl:rightOperand': ['medical', 'finance'],
        },
      ],
      'odrl:duty': [{ '@id': 'urn:duty:attribute', 'odrl:action': 'odrl:attribute' }],
    },
  ],
  'odrl:prohibition': [{ 'odrl:action': 'odrl:distribute' }],
};

/** (5) Full IRIs everywhere, no context. */
const fullIris: JsonObject = {
  '@id': 'urn:policy:forms',
  '@type': `${O}Offer`,
  [`${O}permission`]: [
    {
      [`${O}action`]: `${O}use`,
      [`${O}constraint`]: [
        {
          [`${O}leftOperand`]: `${O}purpose`,
          [`${O}operator`]: `${O}isA`,
          [`${O}rightOperand`]: 'scientific-research',
        },
        { [`${O}leftOperand`]: `${O}spatial`, [`${O}operator`]: `${O}isPartOf`, [`${O}rightOperand`]: 'CN' },
        {
          [`${O}leftOperand`]: `${O}dateTime`,
          [`${O}operator`]: `${O}lt`,
          [`${O}rightOperand`]: { '@value': '2027-01-01', '@type': `${XSD}date` },
        },
        {
          [`${O}leftOperand`]: `${O}count`,
          [`${O}operator`]: `${O}lteq`,
          [`${O}rightOperand`]: { '@value': '5', '@type': `${XSD}integer` },
        },
        {
          [`${O}leftOperand`]: `${SHUYU}sector`,
          [`${O}operator`]: `${O}isAnyOf`,
          [`${O}rightOperand`]: ['medical', 'finance'],
        },
      ],
      [`${O}duty`]: [{ '@id': 'urn:duty:attribute', [`${O}action`]: `${O}attribute` }],
    },
  ],
  [`${O}prohibition`]: [{ [`${O}action`]: `${O}distribute` }],
};

/** (6) An inline context with other prefixes: only jsonld.expand can read it. */
const inline: JsonObject = {
  '@context': { o: O, x: XSD, s: SHUYU },
  '@id': 'urn:policy:forms',
  '@type': 'o:Offer',
  'o:permission': [
    {
      'o:action': { '@id': 'o:use' },
      'o:constraint': [
        {
          'o:leftOperand': { '@id': 'o:purpose' },
          'o:operator': { '@id': 'o:isA' },
          'o:rightOperand': 'scientific-research',
        },
        {
          'o:leftOperand': { '@id': 'o:spatial' },
          'o:operator': { '@id': 'o:isPartOf' },
          'o:rightOperand': 'CN',
        },
        {
          'o:leftOperand': { '@id': 'o:dateTime' },
          'o:operator': { '@id': 'o:lt' },
          'o:rightOperand': { '@value': '2027-01-01', '@type': 'x:date' },
        },
        {
          'o:leftOperand': { '@id': 'o:count' },
          'o:operator': { '@id': 'o:lteq' },
          'o:rightOperand': { '@value': '5', '@type': 'x:integer' },
        },
        {
          'o:leftOperand': { '@id': 's:sector' },
          'o:operator': { '@id': 'o:isAnyOf' },
          'o:rightOperand': ['medical', 'finance'],
        },
      ],
      'o:duty': [{ '@id': 'urn:duty:attribute', 'o:action': { '@id': 'o:attribute' } }],
    },
  ],
  'o:prohibition': [{ 'o:action': { '@id': 'o:distribute' } }],
};

function withoutUid(p: JsonObject): JsonObject {
  const { uid: _uid, ...rest } = p;
  return rest;
}

/** (7) What jsonld.expand makes of the W3C-context form, with the bundled contexts. */
async function expandedForm(doc: JsonObject = w3c): Promise<JsonObject[]> {
  const loader = createDocumentLoader();
  return (await jsonld.expand(
    doc as jsonld.JsonLdDocument,
    {
      documentLoader: loader,
    } as unknown as jsonld.Options.Expand,
  )) as unknown as JsonObject[];
}

// The request table: each row with the decision the plain form must give.
const medicalResearcher = {
  purpose: 'clinical-research',
  spatial: 'CN-BJ',
  count: 5,
  claims: { sectors: ['medical'] },
};
const TABLE: [string, EvaluationRequest, string, string, string[]][] = [
  ['every constraint holds', req(medicalResearcher), 'permit', 'PERMITTED', ['attribute:pending']],
  [
    'read is part of use',
    req({ ...medicalResearcher, action: 'read' }),
    'permit',
    'PERMITTED',
    ['attribute:pending'],
  ],
  [
    'duty reported fulfilled',
    req({ ...medicalResearcher, duties: { 'urn:duty:attribute': 'fulfilled' } }),
    'permit',
    'PERMITTED',
    ['attribute:fulfilled'],
  ],
  [
    'duty violated',
    req({ ...medicalResearcher, duties: { attribute: 'violated' } }),
    'deny',
    'DUTY_VIOLATED',
    [],
  ],
  [
    'the last instant before the day',
    req({ ...medicalResearcher, time: '2026-12-31T23:59:59.999Z' }),
    'permit',
    'PERMITTED',
    ['attribute:pending'],
  ],
  [
    'the day itself',
    req({ ...medicalResearcher, time: '2027-01-01T00:00:00Z' }),
    'deny',
    'CONSTRAINT_NOT_SATISFIED',
    [],
  ],
  [
    'a marketing purpose',
    req({ ...medicalResearcher, purpose: 'targeted-advertising' }),
    'deny',
    'CONSTRAINT_NOT_SATISFIED',
    [],
  ],
  [
    'outside China',
    req({ ...medicalResearcher, spatial: ['CN-SH', 'SG'] }),
    'deny',
    'CONSTRAINT_NOT_SATISFIED',
    [],
  ],
  ['too many uses', req({ ...medicalResearcher, count: 6 }), 'deny', 'CONSTRAINT_NOT_SATISFIED', []],
  [
    'another sector',
    req({ ...medicalResearcher, claims: { sectors: ['energy'] } }),
    'deny',
    'CONSTRAINT_NOT_SATISFIED',
    [],
  ],
  [
    'a malformed count',
    req({ ...medicalResearcher, count: 'five' as unknown as number }),
    'deny',
    'INVALID_REQUEST',
    [],
  ],
  [
    'distribute (use, but never distribute)',
    req({ ...medicalResearcher, action: 'distribute' }),
    'deny',
    'POLICY_VOID_BY_CONFLICT',
    [],
  ],
  [
    'transfer is not part of use',
    req({ ...medicalResearcher, action: 'transfer' }),
    'not-applicable',
    'NO_RULE_APPLIES',
    [],
  ],
  ['an unknown action', req({ ...medicalResearcher, action: 'teleport' }), 'deny', 'INVALID_REQUEST', []],
];

function summary(d: Decision): string[] {
  return [d.decision, d.code, ...d.duties.map((x) => `${x.uid ?? ''} ${x.action}:${x.state}`)];
}

function decisions(policy: CompiledPolicy): string[][] {
  return TABLE.map(([, request]) => summary(policy.evaluate(request)));
}

describe('policies/forms', () => {
  let reference: string[][];

  before(async () => {
    const { policy, ok } = await compilePolicy(plain);
    expect(ok).to.equal(true);
    reference = decisions(policy);
  });

  describe('(1) plain compact JSON decides the request table as expected', () => {
    for (const [name, request, decision, code, duties] of TABLE) {
      it(name, async () => {
        const d = await decide(plain, request);
        expect([d.decision, d.code]).to.deep.equal([decision, code]);
        expect(d.duties.map((x) => `${x.action}:${x.state}`)).to.deep.equal(duties);
      });
    }
  });

  const forms: [string, () => Promise<unknown>][] = [
    ['(2) the DSP 2025-1 context', async () => dsp],
    ['(3) the W3C ODRL context', async () => w3c],
    ['(4) odrl:-prefixed keys', async () => prefixed],
    ['(5) full IRIs', async () => fullIris],
    ['(6) an inline context with other prefixes (jsonld.expand)', async () => inline],
    ['(7) the expanded node produced by jsonld.expand', async () => (await expandedForm())[0]],
    ['(7) the expanded node of the inline-context form', async () => (await expandedForm(inline))[0]],
    ['(7) jsonld.expand output as returned (a one-node array)', async () => expandedForm()],
    ['the same text as a JSON string', async () => JSON.stringify(w3c)],
  ];
  for (const [name, make] of forms) {
    it(`${name} gives identical decisions`, async () => {
      const result = await compilePolicy(await make());
      expect(result.problems).to.deep.equal([]);
      expect(decisions(result.policy)).to.deep.equal(reference);
      expect(result.policy.policy?.uid).to.equal('urn:policy:forms');
      expect(result.policy.policy?.type).to.equal('Offer');
    });
  }

  it('compilePolicySync reads the forms that need no expansion, with identical decisions', () => {
    for (const form of [plain, dsp, w3c, prefixed, fullIris]) {
      const result = compilePolicySync(form);
      expect(result.problems).to.deep.equal([]);
      expect(decisions(result.policy)).to.deep.equal(reference);
    }
  });

  it('compilePolicySync refuses a document that needs expansion with ERR_NEEDS_EXPANSION', () => {
    for (const form of [
      inline,
      { ...plain, '@context': 'https://example.org/unknown-context.jsonld' },
      { ...plain, '@context': [ODRL_CONTEXT, { ex: 'https://example.org/' }] },
      { ...plain, permission: [{ '@context': { ex: 'https://example.org/' }, action: 'use' }] },
    ]) {
      const result = compilePolicySync(form);
      expect(result.ok).to.equal(false);
      expect(result.problems.map((p) => [p.code, p.path])).to.deep.equal([
        ['ERR_NEEDS_EXPANSION', '/@context'],
      ]);
      expectDeniesEverything(result.policy);
    }
  });

  describe('the W3C ODRL context’s typos (neq → odrl:neg, industry → odrl:industry:)', () => {
    const typos: JsonObject = {
      '@context': ODRL_CONTEXT,
      uid: 'urn:policy:typos',
      permission: [
        {
          action: 'use',
          constraint: [
            { leftOperand: 'purpose', operator: 'neq', rightOperand: 'marketing' },
            { leftOperand: 'industry', operator: 'eq', rightOperand: 'medical' },
          ],
        },
      ],
    };
    const requests: [EvaluationRequest, string][] = [
      [req({ purpose: 'public-health', industry: 'medical' }), 'permit'],
      [req({ purpose: 'marketing', industry: 'medical' }), 'deny'],
      [req({ purpose: 'public-health', industry: 'finance' }), 'deny'],
    ];

    it('the bundled context really expands them to the misspelt IRIs', async () => {
      const text = JSON.stringify(await expandedForm(typos));
      expect(text).to.include(`"${O}neg"`).and.include(`"${O}industry:"`);
      expect(text).to.not.include(`"${O}neq"`);
    });
    it('the expanded policy is read as neq and industry', async () => {
      const expanded = await expandedForm(typos);
      for (const form of [
        typos,
        expanded[0],
        { ...typos, '@context': [ODRL_CONTEXT, { ex: 'https://example.org/' }] },
      ]) {
        const { policy, problems } = await compilePolicy(form);
        expect(problems).to.deep.equal([]);
        const constraints = policy.policy?.permissions[0]?.constraints ?? [];
        expect(
          constraints.map((k) => (k.kind === 'atomic' ? [k.leftOperand, k.operator] : [])),
        ).to.deep.equal([
          ['purpose', 'neq'],
          ['industry', 'eq'],
        ]);
        for (const [request, decision] of requests)
          expect(policy.evaluate(request).decision).to.equal(decision);
      }
    });
  });

  describe('unbundled contexts are refused and never fetched', () => {
    let originalFetch: typeof globalThis.fetch;
    let fetched: string[];
    beforeEach(() => {
      originalFetch = globalThis.fetch;
      fetched = [];
      globalThis.fetch = (async (input: unknown) => {
        fetched.push(String(input));
        throw new Error('network access is forbidden in this test');
      }) as typeof globalThis.fetch;
    });
    afterEach(() => {
      globalThis.fetch = originalFetch;
    });

    const unknownUrl = 'https://contexts.example.org/policy.jsonld';
    const documents: [string, JsonObject][] = [
      ['as the only context', { ...plain, '@context': unknownUrl }],
      ['next to a bundled one', { ...plain, '@context': [ODRL_CONTEXT, unknownUrl] }],
      ['nested in a rule', { ...w3c, permission: [{ '@context': unknownUrl, action: 'use' }] }],
      ['imported by an inline context', { ...plain, '@context': { '@version': 1.1, '@import': unknownUrl } }],
    ];
    for (const [name, doc] of documents) {
      it(name, async () => {
        const problems = await problemsOf(doc);
        const p = problem(problems, 'ERR_CONTEXT_NOT_BUNDLED');
        expect(p.path).to.equal('/@context');
        expect(p.message).to.include(unknownUrl).and.include('never fetched');
        expect(fetched).to.deep.equal([]);
      });
    }
    it('a document that expands to several nodes is not one policy', async () => {
      const problems = await problemsOf({
        '@context': { o: O },
        '@graph': [{ '@id': 'urn:a', 'o:permission': [] }, { '@id': 'urn:b' }],
      });
      expect(problems[0]?.code).to.be.oneOf(['ERR_NOT_ONE_POLICY', 'ERR_JSONLD']);
      expect(fetched).to.deep.equal([]);
    });
  });

  it('a bundled policy context is resolved once per process, not loaded again for every expansion', async () => {
    const bundled = createDocumentLoader();
    let loads = 0;
    const counting = async (url: string) => {
      loads++;
      return bundled(url);
    };
    for (let i = 0; i < 5; i++) {
      const expanded = await jsonld.expand(
        {
          '@context': 'https://w3id.org/dspace/2025/1/context.jsonld',
          '@type': 'Agreement',
          '@id': `urn:t${i}`,
        },
        { documentLoader: counting as never },
      );
      expect(JSON.stringify(expanded)).to.include(`urn:t${i}`);
    }
    expect(loads).to.be.at.most(1); // none when an earlier test resolved it already
    expect((await bundled('https://w3id.org/dspace/2025/1/context.jsonld')).tag).to.equal('static');
  });

  describe('JSON pointers point into the document as written', () => {
    const typo = { 'odrl:leftOperand': 'odrl:purpos', 'odrl:operator': 'odrl:isA', 'odrl:rightOperand': 'x' };
    it('odrl:-prefixed keys', async () => {
      const doc = {
        '@id': 'urn:x',
        'odrl:permission': [
          {
            'odrl:action': 'odrl:use',
            'odrl:constraint': [
              { 'odrl:leftOperand': 'odrl:count', 'odrl:operator': 'odrl:eq', 'odrl:rightOperand': 1 },
              typo,
            ],
          },
        ],
      };
      const p = problem(await problemsOf(doc), 'ERR_UNKNOWN_LEFT_OPERAND');
      expect(p.path).to.equal('/odrl:permission/0/odrl:constraint/1/odrl:leftOperand');
    });
    it('single values not wrapped in arrays', async () => {
      const doc = {
        '@id': 'urn:x',
        'odrl:permission': { 'odrl:action': 'odrl:use', 'odrl:constraint': typo },
      };
      const p = problem(await problemsOf(doc), 'ERR_UNKNOWN_LEFT_OPERAND');
      expect(p.path).to.equal('/odrl:permission/odrl:constraint/odrl:leftOperand');
    });
    it('values wrapped in @list', async () => {
      const doc = {
        uid: 'urn:x',
        permission: [
          {
            action: 'use',
            constraint: [
              {
                andSequence: {
                  '@list': [
                    { leftOperand: 'count', operator: 'eq', rightOperand: 1 },
                    { leftOperand: 'sector', operator: 'eq', rightOperand: 'medical' },
                  ],
                },
              },
            ],
          },
        ],
      };
      const p = problem(await problemsOf(doc), 'ERR_UNKNOWN_LEFT_OPERAND');
      expect(p.path).to.equal('/permission/0/constraint/0/andSequence/@list/1/leftOperand');
    });
    it('a property given twice under two spellings', async () => {
      const p = problem(
        await problemsOf({ uid: 'urn:a', '@id': 'urn:b', permission: [{ action: 'use' }] }),
        'ERR_DUPLICATE_PROPERTY',
      );
      expect(p.path).to.equal('/@id');
      expect(p.message).to.equal('"uid" is given twice (as "uid" and "@id")');
    });
    it('rules under two spellings are merged, each keeping its own pointer', async () => {
      const { policy } = await compilePolicy({
        uid: 'urn:x',
        permission: [{ action: 'read' }],
        'odrl:permission': [{ action: 'print' }],
      });
      expect(policy.policy?.permissions.map((r) => [r.path, r.action.name])).to.deep.equal([
        ['/permission/0', 'read'],
        ['/odrl:permission/0', 'print'],
      ]);
    });
    it('full-IRI keys are escaped per RFC 6901', async () => {
      const doc = { '@id': 'urn:x', [`${O}permission`]: [{ [`${O}action`]: `${O}use`, [`${O}target`]: 5 }] };
      const p = problem(await problemsOf(doc), 'ERR_EXPECTED_IRI');
      expect(p.path).to.equal(
        '/http:~1~1www.w3.org~1ns~1odrl~12~1permission/0/http:~1~1www.w3.org~1ns~1odrl~12~1target',
      );
    });
    it('rule paths in the trace and in duties follow the document too', async () => {
      const { policy } = await compilePolicy(prefixed);
      const d = policy.evaluate(TABLE[0]?.[1] as EvaluationRequest);
      expect(d.duties[0]?.path).to.equal('/odrl:permission/0/odrl:duty/0');
      expect(d.trace.rules.map((r) => r.path)).to.deep.equal(['/odrl:permission/0', '/odrl:prohibition/0']);
      expect(d.trace.rules[0]?.constraints[4]?.path).to.equal('/odrl:permission/0/odrl:constraint/4');
    });
    // A policy written like the templates (W3C context) plus one extra prefix goes through
    // jsonld.expand; its problems must still point into the document its author wrote.
    it('a document that needed JSON-LD expansion', async () => {
      const doc = {
        '@context': [ODRL_CONTEXT, { ex: 'https://example.org/' }],
        uid: 'urn:x',
        'ex:note': 'metadata',
        permission: [
          {
            action: 'use',
            constraint: [
              { leftOperand: 'count', operator: 'eq', rightOperand: 1 },
              { leftOperand: 'sector', operator: 'eq', rightOperand: 'medical' },
            ],
          },
        ],
      };
      const p = problem(await problemsOf(doc), 'ERR_UNKNOWN_LEFT_OPERAND');
      expect(p.path).to.equal('/permission/0/constraint/1/leftOperand');
    });
  });

  describe('the DSP 2025-1 example policies (copied into fixtures/)', () => {
    const fixture = (name: string): JsonObject =>
      JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as JsonObject;
    const target = 'urn:uuid:3dd1add8-4d2d-569e-d634-8394a8836a88';

    it('the fixtures are the policy objects of the spec examples (when ../shared is present)', function () {
      const examples = new URL('../../../shared/spec/dsp/examples/', import.meta.url);
      if (!existsSync(examples)) this.skip();
      const example = (f: string) => JSON.parse(readFileSync(new URL(f, examples), 'utf8')) as JsonObject;
      const pairs: [string, string, (m: JsonObject) => Json][] = [
        ['dsp-contract-request-message.offer.json', 'contract-request-message.json', (m) => m.offer as Json],
        ['dsp-contract-offer-message.offer.json', 'contract-offer-message.json', (m) => m.offer as Json],
        [
          'dsp-contract-agreement-message.agreement.json',
          'contract-agreement-message.json',
          (m) => m.agreement as Json,
        ],
        [
          'dsp-contract-agreement-message-full.agreement.json',
          'contract-agreement-message-full.json',
          (m) => m.agreement as Json,
        ],
        [
          'dsp-catalog.hasPolicy.json',
          'catalog.json',
          (m) => ((m.dataset as JsonObject[])[0]?.hasPolicy as Json[])[0] as Json,
        ],
        ['dsp-dataset.hasPolicy.json', 'dataset.json', (m) => (m.hasPolicy as Json[])[0] as Json],
      ];
      for (const [name, source, pick] of pairs) {
        const message = example(source);
        expect(fixture(name), name).to.deep.equal({
          '@context': message['@context'],
          ...(pick(message) as JsonObject),
        });
      }
    });

    it('the catalog offer compiles and decides spatial eq', async () => {
      const offer = fixture('dsp-catalog.hasPolicy.json');
      expectDecision(await decide(offer, req({ spatial: 'http://example.org/EU' })), 'permit', 'PERMITTED');
      expectDecision(await decide(offer, req({ spatial: 'CN' })), 'deny', 'CONSTRAINT_NOT_SATISFIED');
    });

    it('the dataset offer (a blank-node right operand) compiles', async () => {
      const offer = fixture('dsp-dataset.hasPolicy.json');
      expectDecision(await decide(offer, req({ spatial: '_:EU' })), 'permit', 'PERMITTED');
      expectDecision(await decide(offer, req()), 'deny', 'MISSING_INFORMATION');
    });

    // The spec's offers compare dateTime with "2023-12-31T06:00Z" (ISO 8601 without seconds).
    for (const name of ['dsp-contract-request-message.offer.json', 'dsp-contract-offer-message.offer.json']) {
      it(`${name}: the offer of the negotiation message compiles and decides dateTime lteq`, async () => {
        const offer = fixture(name);
        expectDecision(
          await decide(offer, req({ target, time: '2023-12-31T06:00:00Z' })),
          'permit',
          'PERMITTED',
        );
        expectDecision(
          await decide(offer, req({ target, time: '2023-12-31T06:00:01Z' })),
          'deny',
          'CONSTRAINT_NOT_SATISFIED',
        );
        expectDecision(
          await decide(offer, req({ target: 'urn:uuid:other', time: '2023-01-01T00:00:00Z' })),
          'not-applicable',
          'NO_RULE_APPLIES',
        );
      });
    }

    // The agreement carries "timestamp", a DSP term of the agreement message's context.
    it('the agreement of the agreement message compiles and binds its parties', async () => {
      const agreement = fixture('dsp-contract-agreement-message.agreement.json');
      const parties = {
        target: 'urn:uuid:3dd1add4-4d2d-569e-d634-8394a8836d23',
        assignee: 'http://example.com/Consumer',
        assigner: 'http://example.com/Provider',
        time: '2023-06-01T00:00:00Z',
      };
      expectDecision(await decide(agreement, req(parties)), 'permit', 'PERMITTED');
      expectDecision(
        await decide(agreement, req({ ...parties, assignee: 'http://example.com/Other' })),
        'not-applicable',
        'NO_RULE_APPLIES',
      );
    });

    it('the full agreement example is refused: its profile and the "partner" operand are unknown', async () => {
      const agreement = fixture('dsp-contract-agreement-message-full.agreement.json');
      const problems = await problemsOf(agreement);
      expect(problem(problems, 'ERR_UNKNOWN_PROFILE').path).to.equal('/profile');
      expect(problem(problems, 'ERR_UNKNOWN_LEFT_OPERAND').path).to.equal(
        '/permission/1/constraint/0/and/0/leftOperand',
      );
      expectDeniesEverything((await compilePolicy(agreement)).policy);
    });
  });
});
