// The words both full-text backends see (search/text.ts): the indexed text, the FTS5 MATCH expression
// and the PostgreSQL tsquery for the same query text.
import { expect } from 'chai';
import {
  indexText,
  matchExpression,
  MAX_QUERY_TERMS,
  tsqueryExpression,
} from '../../catalog/federation/search/text.js';

describe('federation: full-text words for both backends', () => {
  it('indexes words, one per CJK character, without Latin accents or punctuation', () => {
    expect(indexText('门诊就诊记录 2024')).to.equal('门 诊 就 诊 记 录 2024');
    expect(indexText('Air-quality (PM2.5) at café.example')).to.equal('Air quality PM2 5 at cafe example');
    expect(indexText('  ')).to.equal('');
  });

  it('turns a query into the same prefixes and phrases for FTS5 and PostgreSQL', () => {
    expect(matchExpression('forecast load')).to.equal('"forecast"* "load"*');
    expect(tsqueryExpression('forecast load')).to.equal("'forecast':* & 'load':*");
    expect(matchExpression('就诊 records')).to.equal('"就 诊" "records"*');
    expect(tsqueryExpression('就诊 records')).to.equal("('就' <-> '诊') & 'records':*");
    expect(tsqueryExpression('2024年')).to.equal("('2024' <-> '年')");
    expect(tsqueryExpression('Café')).to.equal("'Cafe':*");
  });

  it('keeps query syntax out: quotes, operators and an empty query', () => {
    expect(tsqueryExpression(`it's & !x | (y) <-> z:*`)).to.equal("'it':* & 's':* & 'x':* & 'y':* & 'z':*");
    expect(matchExpression('"NEAR" OR *')).to.equal('"NEAR"* "OR"*');
    expect(tsqueryExpression('?! --')).to.equal(undefined);
    expect(matchExpression('')).to.equal(undefined);
    const many = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    expect(tsqueryExpression(many)?.split(' & ')).to.have.length(MAX_QUERY_TERMS);
  });
});
