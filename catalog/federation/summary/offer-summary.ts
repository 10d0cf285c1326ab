// An ODRL offer in sentences for people choosing data: who may use it, for what, until when, with
// which duties, and what is forbidden. Built from the policy engine's model, so every JSON-LD form
// reads the same. Terms the summary has no words for fall back to the engine's own constraint text
// ("industry isA energy"): never silently dropped.
//
//   const summary = await summariseOffer(offerJson);             // English
//   const zh = await summariseOffer(offerJson, { locale: 'zh-CN', timeZone: 'Asia/Shanghai' });
//   summary.sentences  // ["Members holding MembershipCredential and SectorCredential, in the medical
//                      //   sector, … may use the data for scientific research …", "Forbidden: …"]
import { compilePolicy } from '../../../policies/index.js';
import { constraintText } from '../../../policies/evaluate/trace.js';
import type { Constraint, Policy, Rule } from '../../../policies/model/types.js';
import { chineseWording } from './chinese.js';
import { englishWording } from './english.js';
import type { SummaryLocale, SummaryOptions, Wording } from './wording.js';

export type { SummaryLocale, SummaryOptions } from './wording.js';

export interface PermissionSummary {
  /** Who may: "Members holding …, in the medical sector, acting as hospital or research institute". */
  readonly who: string;
  /** What for and where: "use the data for scientific research (or a narrower purpose), in China". */
  readonly what: string;
  /** Until when: "from 2026-01-01+08:00, before 2028-01-01+08:00, for at most 180 days after first use". */
  readonly when: string;
  /** What the user must do: "anonymise the data", "delete the data within 180 days", "pay 5000.00 CNY". */
  readonly duties: readonly string[];
  /** The whole rule as one sentence. */
  readonly sentence: string;
}

export interface OfferSummary {
  readonly permissions: readonly PermissionSummary[];
  /** "Forbidden: distribute the data (if it happens: delete the data)." */
  readonly prohibitions: readonly string[];
  /** Policy-level obligations: "Every user must pay 5000.00 CNY." */
  readonly obligations: readonly string[];
  /** Every sentence above, in order: what a console prints. */
  readonly sentences: readonly string[];
  /** Why the offer could not be read (it then permits nothing). */
  readonly problems?: readonly string[];
  /** The same summary in other languages (the federated catalog stores them beside the English one). */
  readonly translations?: Partial<Record<Exclude<SummaryLocale, 'en'>, OfferSummary>>;
}

type Category = 'who' | 'what' | 'when';

const CATEGORY: Readonly<Record<string, Category>> = {
  'shuyu:credentialType': 'who',
  'shuyu:sector': 'who',
  'shuyu:sectorRole': 'who',
  'shuyu:dataGradeClearance': 'who',
  'shuyu:memberRole': 'who',
  'shuyu:dataSpace': 'who',
  'shuyu:registrationNumber': 'who',
  dateTime: 'when',
  elapsedTime: 'when',
  meteredTime: 'when',
  count: 'when',
};

function categoryOf(c: Constraint): Category {
  if (c.kind === 'atomic') return CATEGORY[c.leftOperand] ?? 'what';
  const first = c.constraints[0];
  return first === undefined ? 'what' : categoryOf(first);
}

/** The summariser in one language: sorts rules and constraints, the wording says them. */
class Summariser {
  constructor(private readonly w: Wording) {}

  constraint(c: Constraint): string {
    if (c.kind === 'atomic') return this.w.constraint(c) ?? constraintText(c);
    const parts = c.constraints.map((x) => this.constraint(x));
    if (c.operator === 'or') return this.w.either(parts);
    if (c.operator === 'xone') return this.w.exactlyOne(parts);
    return this.w.all(parts);
  }

  /**
   * A duty's constraint says when the duty applies, not how it is done: "while at most 30 days have
   * passed since first use" (not "for at most 30 days", which reads as a deadline).
   */
  dutyCondition(c: Constraint): string {
    return (c.kind === 'atomic' ? this.w.dutyCondition(c) : undefined) ?? this.w.dutyWhen(this.constraint(c));
  }

  /** A duty as an imperative: "delete the data (elapsedTime at most 180 days)" reads "delete the data within 180 days". */
  duty(rule: Rule): string {
    const how = rule.action.refinements.map((r) =>
      r.kind === 'atomic' && r.leftOperand === 'elapsedTime' && (r.operator === 'lteq' || r.operator === 'lt')
        ? this.w.within(r)
        : r.kind === 'atomic' && r.leftOperand === 'payAmount'
          ? this.w.amount(r)
          : this.constraint(r),
    );
    const when = rule.constraints.map((c) => this.dutyCondition(c));
    const parties = Object.entries(rule.parties).map(([role, ids]) => this.w.party(role, [...ids]));
    return this.w.duty(this.w.action(rule.action.name), how, when, parties);
  }

  permission(rule: Rule): PermissionSummary {
    const byCategory: Record<Category, string[]> = { who: [], what: [], when: [] };
    for (const c of [...rule.constraints, ...rule.action.refinements]) {
      byCategory[categoryOf(c)].push(this.constraint(c));
    }
    const who = this.w.who(rule, byCategory.who);
    const what = this.w.what(this.w.action(rule.action.name), byCategory.what);
    const when = this.w.when(byCategory.when);
    const duties = rule.duties.map((d) => this.duty(d));
    return { who, what, when, duties, sentence: this.w.permission(who, what, when, duties) };
  }

  prohibition(rule: Rule): string {
    return this.w.prohibition(
      this.w.action(rule.action.name),
      rule.constraints.map((c) => this.constraint(c)),
      rule.remedies.map((r) => this.duty(r)),
    );
  }
}

function wording(options: SummaryOptions): Wording {
  return options.locale === 'zh-CN' ? chineseWording(options.timeZone) : englishWording(options.timeZone);
}

/** The summary of a compiled policy model (undefined: the policy did not compile), in English by default. */
export function summarisePolicy(
  policy: Policy | undefined,
  problems: readonly string[] = [],
  options: SummaryOptions = {},
): OfferSummary {
  const w = wording(options);
  if (policy === undefined) {
    return {
      permissions: [],
      prohibitions: [],
      obligations: [],
      sentences: [w.unreadable(problems)],
      problems,
    };
  }
  const s = new Summariser(w);
  const permissions = policy.permissions.map((r) => s.permission(r));
  const prohibitions = policy.prohibitions.map((r) => s.prohibition(r));
  const obligations = policy.obligations.map((o) => w.obligation(s.duty(o)));
  const sentences = [
    ...(permissions.length === 0 ? [w.permitsNothing] : permissions.map((p) => p.sentence)),
    ...prohibitions,
    ...obligations,
  ];
  return { permissions, prohibitions, obligations, sentences: sentences.map((x) => w.sentence(x)) };
}

/** The English summary with its translations, as the federated catalog stores it. */
export function summariseInEveryLanguage(
  policy: Policy | undefined,
  problems: readonly string[] = [],
): OfferSummary {
  return {
    ...summarisePolicy(policy, problems),
    translations: { 'zh-CN': summarisePolicy(policy, problems, { locale: 'zh-CN' }) },
  };
}

/** An ODRL action as an imperative in `locale` ("delete the data", 「删除数据」). */
export function actionWords(name: string, locale: SummaryLocale = 'en'): string {
  return wording({ locale }).action(name);
}

/** Summarises an ODRL offer in any JSON-LD form (a DSP catalog offer, a template, an agreement). */
export async function summariseOffer(offer: unknown, options: SummaryOptions = {}): Promise<OfferSummary> {
  const compiled = await compilePolicy(offer);
  return summarisePolicy(
    compiled.policy.policy,
    compiled.problems.map((p) => `${p.path || '/'}: ${p.message}`),
    options,
  );
}
