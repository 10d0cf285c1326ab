// How a summary says things in one language: the summariser (offer-summary.ts) sorts a policy's
// rules and constraints into who / what / when / duties, and a Wording turns each piece into words.
// english.ts and chinese.ts are the two; both must name every term the other names.
import type { AtomicConstraint, Rule } from '../../../policies/model/types.js';

export type SummaryLocale = 'en' | 'zh-CN';

export interface SummaryOptions {
  /** Default English. */
  readonly locale?: SummaryLocale;
  /** IANA zone for instants in the policy (default: as the policy writes them, with its offset). */
  readonly timeZone?: string;
}

export interface Wording {
  /** One atomic constraint as a phrase, or undefined when there are no words for it. */
  constraint(c: AtomicConstraint): string | undefined;
  either(parts: readonly string[]): string;
  exactlyOne(parts: readonly string[]): string;
  all(parts: readonly string[]): string;
  /** A duty's condition on elapsed time, metered time or count ("while at most 30 days have passed…"). */
  dutyCondition(c: AtomicConstraint): string | undefined;
  /** A duty's condition given as a constraint phrase ("when …"). */
  dutyWhen(phrase: string): string;
  /** A duty's deadline refinement ("within 180 days of first use"). */
  within(c: AtomicConstraint): string;
  /** A payment refinement ("5000.00 CNY"). */
  amount(c: AtomicConstraint): string;
  /** A duty as an imperative from its action, refinements, conditions and parties. */
  duty(
    action: string,
    how: readonly string[],
    conditions: readonly string[],
    parties: readonly string[],
  ): string;
  party(role: string, ids: readonly string[]): string;
  action(name: string): string;
  who(rule: Rule, phrases: readonly string[]): string;
  what(action: string, phrases: readonly string[]): string;
  when(phrases: readonly string[]): string;
  permission(who: string, what: string, when: string, duties: readonly string[]): string;
  prohibition(action: string, conditions: readonly string[], remedies: readonly string[]): string;
  obligation(duty: string): string;
  unreadable(problems: readonly string[]): string;
  readonly permitsNothing: string;
  /** The finished sentence (English capitalises). */
  sentence(text: string): string;
}
