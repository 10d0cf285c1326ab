// Texts the connector, its peers and the policy engine write in English (problem details, DSP error
// reasons, refusal reasons, the engine's explanation), for a Chinese page: known codes get a Chinese
// sentence, known phrases inside a reason are translated, and whatever stays English is shown as
// it is behind a Chinese lead-in, so nothing is lost. English pages get the text unchanged.
import { HttpProblem } from '../../http/problem.js';
import type { ConsoleContext } from './console.js';
import type { Phrase } from './i18n.js';

/** The policy engine's decision summaries (policies/evaluate/explain.ts) and verdicts. */
const ENGINE: ReadonlyArray<readonly [string | RegExp, string]> = [
  ['a permission applies and all its constraints are satisfied', '有适用的许可且其全部约束均满足'],
  [
    'a permission and a prohibition both apply; the conflict strategy "perm" lets the permission win',
    '许可与禁止同时适用；冲突策略 "perm" 使许可优先',
  ],
  [
    'no rule of the policy is about this action, target and party',
    '策略中没有关于此操作、对象和当事方的规则',
  ],
  ['a permission applies but its constraints are not satisfied', '有适用的许可，但其约束未满足'],
  [
    'a permission applies but one of its duties was violated and not remedied',
    '有适用的许可，但其某项义务被违反且未补救',
  ],
  ['a prohibition applies and its constraints are satisfied', '有适用的禁止且其约束成立'],
  [
    'a permission and a prohibition both apply and the conflict strategy "invalid" makes the policy void',
    '许可与禁止同时适用，冲突策略 "invalid" 使策略无效',
  ],
  ['an obligation of the policy was violated and not remedied', '策略的某项强制义务被违反且未补救'],
  [
    'a constraint could not be evaluated (a value is malformed or cannot be compared), so the engine refuses (fail closed)',
    '某个约束无法评估（值格式错误或无法比较），因此引擎拒绝（失败即拒绝）',
  ],
  [
    'the request does not give a value a constraint needs, so the engine refuses (fail closed)',
    '请求缺少约束所需的值，因此引擎拒绝（失败即拒绝）',
  ],
  ['the policy is invalid, so nothing it says is permitted', '策略无效，因此其中任何内容都不被允许'],
  ['the request is malformed', '请求格式错误'],
  ['applies and forbids the request', '适用并禁止此请求'],
  ['does not forbid the request', '不禁止此请求'],
  ['could not be evaluated', '无法评估'],
  [/ is not satisfied\b/g, ' 未满足'],
  [/ is satisfied\b/g, ' 已满足'],
  [' (it has no constraints)', '（没有约束）'],
  ['Duties that come with the permit:', '此许可附带的义务：'],
  [' (policy obligation)', '（策略强制义务）'],
  [/ does not apply: /g, ' 不适用：'],
  [/^Decision: PERMIT because /, '决定：允许，因为'],
  [/^Decision: DENY because /, '决定：拒绝，因为'],
  [/^Decision: NOT-APPLICABLE because /, '决定：不适用，因为'],
  [/^permit: /, '允许：'],
  [/^deny: /, '拒绝：'],
  [/^not-applicable: /, '不适用：'],
  [/^Request: /, '请求：'],
  [/^Permission /, '许可 '],
  [/^Prohibition /, '禁止 '],
  [/^Obligation /, '强制义务 '],
  [/ is decided at use time/g, '在使用时判定'],
];

/** Operand labels (policies/operands/registry.ts) and how operators read in an explanation. */
const TERMS: ReadonlyArray<readonly [string, string]> = [
  ['the request does not give ', '请求未提供'],
  ['the time of the request', '请求时间'],
  ['the time elapsed since the first use', '自首次使用以来的时间'],
  ['the accumulated time of use', '累计使用时长'],
  ['the number of uses including this one', '含本次在内的使用次数'],
  ['the purpose of use', '使用用途'],
  ['the place of use', '使用地点'],
  ['the recipient', '接收方'],
  ['the industry of use', '使用行业'],
  ['the amount paid', '支付金额'],
  ['the verified credentials held', '持有的已验证凭证'],
  ['the data space of membership', '所属数据空间'],
  ['the role in the data space', '在数据空间中的角色'],
  ["the organisation's registration number", '机构登记号'],
  ['the sectors of the verified sector credentials', '已验证行业凭证中的行业'],
  ['the verified sector roles', '已验证的行业角色'],
  ['the verified data-grade clearance', '已验证的数据分级许可'],
  ["the dataset's data grade", '数据集的数据分级'],
  [' is not a kind of ', ' 不属于 '],
  [' is a kind of ', ' 属于 '],
  [' is not part of ', ' 不在以下范围内：'],
  [' is part of ', ' 位于 '],
  [' does not cover all of ', ' 未涵盖全部 '],
  [' covers all of ', ' 涵盖全部 '],
  [' is not one of ', ' 不在以下之中：'],
  [' is one of ', ' 属于以下之一：'],
  [' does not include ', ' 不包括 '],
  [' includes ', ' 包括 '],
  [' does not equal ', ' 不等于 '],
  [' equals ', ' 等于 '],
  [' is not below ', ' 不低于 '],
  [' is below ', ' 低于 '],
  [' is at most ', ' 不超过 '],
  [' does not exceed ', ' 不超过 '],
  [' exceeds ', ' 超过 '],
  [' is at least ', ' 至少为 '],
  ['must name at least one value (one string or a list of them)', '须至少填写一个值'],
  ['must be a non-empty string', '须为非空文本'],
  ['must be a non-negative integer', '须为非负整数'],
  ['must be a JSON object', '须为 JSON 对象'],
  ['must be a JSON array', '须为 JSON 数组'],
  ['is required', '为必填项'],
];

/** Form fields the connector names by JSON pointer. */
const FIELDS: Readonly<Record<string, string>> = {
  '/purpose': '用途',
  '/spatial': '使用地点',
  '/agreementId': '协议编号',
  '/format': '格式',
  '/offer': '要约',
  '/counterPartyAddress': '对方地址',
  '/counterPartyId': '对方 DID',
  '/id': '标识',
  '/title': '标题',
};

/** ODRL operators: a constraint in the engine's notation ("purpose isA scientific-research") is code, not English. */
const OPERATORS = '(?:eq|neq|lt|lteq|gt|gteq|isA|isPartOf|hasPart|isAnyOf|isAllOf|isNoneOf)';
const VALUE = '(?:\\[[^\\]]*\\]|[^\\s:：()（）]+)';
const CONSTRAINT = new RegExp(`[\\w:]+ ${OPERATORS} ${VALUE}`, 'g');

/** Connector-side sentences (DSP errors, refusals, the data plane) by pattern. */
const SENTENCES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(GET|POST|PUT|DELETE) (\S+) answered (\d{3}):? ?/, '对方（$2）以 HTTP $3 拒绝：'],
  [
    /^(GET|POST) (\S+) failed: (.*); check the address and that the peer is up$/,
    '无法连接对方（$2）：$3；请检查地址以及对方是否在运行',
  ],
  [
    /no (negotiation|transfer|agreement|dataset|asset|offer) with id "([^"]*)" is available to you on this connector/,
    '此连接器上没有您可访问的编号为 "$2" 的对象',
  ],
  [/a (\S+) cannot be applied to a (negotiation|transfer) in state (\w+)/, '处于 $3 状态的流程不能接受 $1'],
  [/the request is not authenticated: /, '请求未通过身份验证：'],
  [
    /the counterparty has not acknowledged this (negotiation|transfer) yet, so it cannot be addressed; retry shortly/,
    '对方尚未确认此流程，暂时无法联系；请稍后重试',
  ],
  [/^terminated by the operator$/, '由操作员终止'],
  [new RegExp(` ?\\(([\\w:]+ ${OPERATORS} ${VALUE}): ((?:[^()]|\\([^()]*\\))*)\\)`, 'g'), '（约束 $1：$2）'],
];

/** Problem codes with a Chinese sentence of their own (the detail then adds only what is specific). */
const CODES: Readonly<Record<string, Phrase>> = {
  'not-found': 'Not found',
  'negotiation-not-found': 'No such negotiation.',
  'transfer-not-found': 'No such transfer.',
  'agreement-not-found': 'No such agreement.',
  'asset-not-found': 'No such asset.',
  'offer-not-found': 'No such offer.',
  'asset-exists': 'An asset with this id exists already.',
  'offer-exists': 'An offer with this id exists already.',
  'asset-in-use': 'The asset is used by an offer: remove the offer first.',
  'invalid-transition': 'This step is not possible in the current state.',
  'version-conflict': 'Someone changed this record at the same time: reload and try again.',
  'peer-pid-unknown': 'The counterparty has not acknowledged this process yet: retry shortly.',
  'peer-unreachable': 'The counterparty cannot be reached.',
  'peer-refused': 'The counterparty refused.',
  'peer-invalid-answer': 'The counterparty gave an answer that is not valid.',
  'peer-address-refused': 'This address may not be contacted.',
  'invalid-body': 'The form has mistakes.',
  'invalid-input': 'The form has mistakes.',
  'invalid-message': 'The form has mistakes.',
  'invalid-policy': 'The policy has errors.',
  'asset-invalid': 'The form has mistakes.',
  'offer-invalid': 'The form has mistakes.',
  unauthenticated: 'The request is not authenticated.',
  ERR_USAGE_DENIED: 'The usage policy refused this access.',
  'usage-denied': 'The usage policy refused this access.',
  'transfer-not-active': 'This transfer is not active.',
  'token-expired': 'The access token has expired.',
  ERR_FETCH_REFUSED: 'This address may not be contacted.',
  ERR_FETCH_FAILED: 'The counterparty cannot be reached.',
  ERR_TRANSFER_NOT_ACTIVE: 'This transfer is not active.',
  ERR_EDR_EXPIRED: 'The access token has expired.',
};

function substitute(text: string): string {
  let out = text;
  for (const [from, to] of SENTENCES) out = out.replace(from, to);
  for (const [from, to] of ENGINE)
    out = typeof from === 'string' ? out.split(from).join(to) : out.replace(from, to);
  for (const [from, to] of TERMS) out = out.split(from).join(to);
  return out;
}

/** Three English words in a row (constraints in the engine's notation aside): English the tables do not know. */
const ENGLISH_WORDS = /[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}/;
const ENGLISH = { test: (text: string): boolean => ENGLISH_WORDS.test(text.replace(CONSTRAINT, '')) };

/** A reason written by the connector, a peer or the policy engine, for this viewer. */
export function reasonText(ctx: ConsoleContext, reason: string): string {
  if (ctx.lang === 'en' || reason === '') return reason;
  const translated = substitute(reason);
  return ENGLISH.test(translated) ? `${ctx.t('The connector says:')} ${translated}` : translated;
}

/** The lines of the policy engine's explanation, for this viewer. */
export function explanationText(ctx: ConsoleContext, lines: readonly string[]): string {
  if (ctx.lang === 'en') return lines.join('\n');
  return lines.map((l) => substitute(l)).join('\n');
}

/** A failed action for this viewer: a problem's code in words, its detail and field reasons translated. */
export function problemText(
  ctx: ConsoleContext,
  problem: HttpProblem | { code: string; message: string },
): string {
  const detail = problem instanceof HttpProblem ? problem.detail : problem.message;
  const fields = problem instanceof HttpProblem ? problem.errors : [];
  if (ctx.lang === 'en') {
    const reasons = fields.map((e) => `${e.pointer}: ${e.reason}`).join('; ');
    return reasons ? `${detail} (${reasons})` : detail;
  }
  const known = CODES[problem.code];
  const state = problem instanceof HttpProblem ? problem.members.state : undefined;
  const lead = known === undefined ? '' : ctx.t(known) + (typeof state === 'string' ? ` (${state})` : '');
  // A not-found detail only repeats the id the page already shows; "…; see errors" points at the fields.
  if (problem.code.endsWith('not-found') && lead) return lead;
  const parts = [
    ...(fields.length > 0 && /see errors$/.test(detail) ? [] : [detail]),
    ...fields.map((e) => `${FIELDS[e.pointer] ?? e.pointer}：${e.reason}`),
  ].map(substitute);
  const english = parts.some((p) => ENGLISH.test(p));
  return [lead, english ? ctx.t('The connector says:') : '', parts.join('；')].filter(Boolean).join(' ');
}
