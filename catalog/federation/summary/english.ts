// The summaries in English: "Members holding MembershipCredential, in the medical sector, … may use
// the data for scientific research (or a narrower purpose) in China, from 2026-01-01+08:00, …".
import type { AtomicConstraint, Rule } from '../../../policies/model/types.js';
import type { TypedValue } from '../../../policies/values/types.js';
import { action, list, region, term, value, zonedTime } from './words.js';
import type { Wording } from './wording.js';

const NEGATIVE = new Set(['neq', 'isNoneOf']);

const COMPARISON: Readonly<Record<string, string>> = {
  eq: 'exactly',
  neq: 'other than',
  lt: 'below',
  lteq: 'at most',
  gt: 'above',
  gteq: 'at least',
};

export function englishWording(timeZone?: string): Wording {
  const show = (v: TypedValue): string =>
    timeZone !== undefined && v.type === 'dateTime' ? zonedTime(v, timeZone) : value(v);
  /** The right operand for people; `name` names IRI values (regions by their name, terms spelt out). */
  const joined = (c: AtomicConstraint, name?: (iri: string) => string): string =>
    list(
      c.rightOperand.map((v) => (name && v.type === 'iri' ? name(v.value) : show(v))),
      c.operator === 'isAllOf' || c.operator === 'hasPart' ? 'and' : 'or',
    );
  const cmp = (c: AtomicConstraint): string => COMPARISON[c.operator] ?? c.operator;
  /** "(or a narrower …)" when the operator walks a hierarchy. */
  const narrower = (c: AtomicConstraint, what: string): string =>
    c.operator === 'isA' || c.operator === 'isPartOf' ? ` (or a narrower ${what})` : '';

  return {
    constraint(c) {
      const not = NEGATIVE.has(c.operator) ? 'not ' : '';
      switch (c.leftOperand) {
        case 'shuyu:credentialType':
          return `${not}holding ${joined(c)}`;
        case 'shuyu:sector':
          return `${not}in the ${joined(c, term)} sector${narrower(c, 'sector')}`;
        case 'shuyu:sectorRole':
          return `${not}acting as ${joined(c, term)}${narrower(c, 'role')}`;
        case 'shuyu:memberRole':
          return `${not}with the member role ${joined(c)}`;
        case 'shuyu:dataSpace':
          return `${not}members of ${joined(c)}`;
        case 'shuyu:registrationNumber':
          return `${not}registered as ${joined(c)}`;
        case 'shuyu:dataGradeClearance':
          if (c.operator === 'gteq') return `cleared for ${joined(c)} data or higher`;
          if (c.operator === 'gt') return `cleared above ${joined(c)} data`;
          return `with a data grade clearance ${cmp(c)} ${joined(c)}`;
        case 'shuyu:dataGrade':
          return `for data graded ${cmp(c)} ${joined(c)}`;
        case 'purpose':
          return `${not}for ${joined(c, term)}${narrower(c, 'purpose')}`;
        case 'spatial':
          if (NEGATIVE.has(c.operator)) return `outside ${joined(c, region)}`;
          return `in ${joined(c, region)}`;
        case 'dateTime':
          if (c.operator === 'gteq') return `from ${joined(c)}`;
          if (c.operator === 'gt') return `after ${joined(c)}`;
          if (c.operator === 'lt') return `before ${joined(c)}`;
          if (c.operator === 'lteq') return `until ${joined(c)}`;
          return undefined;
        case 'elapsedTime':
          return `for ${cmp(c)} ${joined(c)} after first use`;
        case 'meteredTime':
          return `for ${cmp(c)} ${joined(c)} of use in total`;
        case 'count':
          if (c.operator === 'lteq') return `at most ${joined(c)} times`;
          if (c.operator === 'lt') return `fewer than ${joined(c)} times`;
          return `a number of times ${cmp(c)} ${joined(c)}`;
        case 'payAmount':
          return `for a payment of ${joined(c)}${c.unit ? ' ' + term(c.unit) : ''}`;
        default:
          return undefined;
      }
    },
    either: (parts) => `either ${list(parts.map((p) => `(${p})`))}`,
    exactlyOne: (parts) => `exactly one of ${list(parts.map((p) => `(${p})`))}`,
    all: (parts) => list(parts, 'and'),
    dutyCondition(c) {
      if (c.leftOperand === 'elapsedTime') return `while ${cmp(c)} ${joined(c)} have passed since first use`;
      if (c.leftOperand === 'meteredTime')
        return `while the data has been used ${cmp(c)} ${joined(c)} in total`;
      if (c.leftOperand === 'count') return `while the number of uses is ${cmp(c)} ${joined(c)}`;
      return undefined;
    },
    dutyWhen: (phrase) => `when ${phrase}`,
    within: (c) => `within ${joined(c)} of first use`,
    amount: (c) => `${joined(c)}${c.unit ? ' ' + term(c.unit) : ''}`,
    duty: (name, how, conditions, parties) =>
      [
        name,
        ...how,
        ...(conditions.length ? [`(a duty only ${list(conditions, 'and')})`] : []),
        ...parties,
      ].join(' '),
    party: (role, ids) => `${term(role)}: ${list(ids)}`,
    action,
    who(rule: Rule, phrases) {
      const party = rule.assignee?.id
        ? rule.assignee.collection
          ? `Members of ${rule.assignee.id}`
          : `Only ${rule.assignee.id}`
        : phrases.length > 0
          ? 'Members'
          : 'Anyone who can see this offer';
      return phrases.length > 0 ? `${party} ${list(phrases, 'and')}` : party;
    },
    what: (name, phrases) => [name, ...phrases].join(' '),
    when: (phrases) => (phrases.length > 0 ? phrases.join(', ') : 'with no time limit'),
    permission: (who, what, when, duties) =>
      `${who} may ${what}, ${when}.` + (duties.length > 0 ? ` They must ${list(duties, 'and')}.` : ''),
    prohibition: (name, conditions, remedies) =>
      `Forbidden: ${name}${conditions.length ? ' ' + list(conditions, 'and') : ''}` +
      `${remedies.length ? ` (if it happens: ${list(remedies, 'and')})` : ''}.`,
    obligation: (duty) => `Every user must ${duty}.`,
    unreadable: (problems) =>
      `This offer cannot be read, so it permits nothing${problems.length ? `: ${problems.join('; ')}` : '.'}`,
    permitsNothing: 'This offer permits nothing.',
    sentence: (text) => text.charAt(0).toUpperCase() + text.slice(1),
  };
}
