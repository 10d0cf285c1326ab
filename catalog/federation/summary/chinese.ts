// The summaries in Chinese: 「成员（持有 MembershipCredential；属于医疗行业（含其下级行业））可以使用数据
// （仅限用途：科学研究；使用地点：中国 (CN)），自 2026年1月1日起，最多使用 10 次。」Terms of the Shuyu
// vocabularies get their Chinese names; identifiers without one (credential types, DIDs) stay as written.
import type { AtomicConstraint, Rule } from '../../../policies/model/types.js';
import type { TypedValue } from '../../../policies/values/types.js';
import { term, zonedParts } from './words.js';
import type { Wording } from './wording.js';

const PURPOSES: Readonly<Record<string, string>> = {
  'research-and-development': '研究开发',
  'scientific-research': '科学研究',
  'academic-research': '学术研究',
  'medical-research': '医学研究',
  'clinical-research': '临床研究',
  'epidemiological-research': '流行病学研究',
  'drug-development': '药物研发',
  'commercial-research': '商业研究',
  'product-development': '产品开发',
  'public-interest': '公共利益',
  'public-health': '公共卫生',
  'public-administration': '公共管理',
  'policy-making': '政策制定',
  'education-statistics': '教育统计',
  'service-provision': '服务提供',
  'healthcare-delivery': '医疗服务',
  'insurance-claims-settlement': '保险理赔结算',
  'teaching-improvement': '教学改进',
  'educational-assessment': '教育评价',
  'personalised-learning': '个性化学习',
  'grid-operation': '电网运行',
  'load-forecasting': '负荷预测',
  'demand-response': '需求响应',
  'charging-network-planning': '充电网络规划',
  'risk-control': '风险控制',
  'credit-risk-assessment': '信用风险评估',
  'fraud-detection': '欺诈检测',
  'anti-money-laundering': '反洗钱',
  'regulatory-compliance': '合规监管',
  marketing: '市场营销',
  'targeted-advertising': '定向广告',
};

const SECTORS: Readonly<Record<string, string>> = {
  education: '教育',
  energy: '能源',
  finance: '金融',
  medical: '医疗',
  'basic-education': '基础教育',
  'higher-education': '高等教育',
  'vocational-education': '职业教育',
  'education-technology': '教育科技',
  'power-grid': '电网',
  'power-generation': '发电',
  'ev-charging': '电动汽车充电',
  'energy-storage': '储能',
  banking: '银行业',
  'credit-reporting': '征信',
  insurance: '保险',
  securities: '证券',
  fintech: '金融科技',
  'clinical-care': '临床诊疗',
  'medical-research': '医学研究',
  'public-health': '公共卫生',
  'health-insurance': '医疗保险',
};

const ROLES: Readonly<Record<string, string>> = {
  'healthcare-provider': '医疗服务机构',
  hospital: '医院',
  'research-institute': '科研机构',
  'medical-research-institute': '医学研究机构',
  insurer: '保险机构',
  'commercial-insurer': '商业保险公司',
  'health-insurance-centre': '医保中心',
  'financial-institution': '金融机构',
  bank: '银行',
  'credit-bureau': '征信机构',
  fintech: '金融科技公司',
  'energy-company': '能源企业',
  'grid-operator': '电网企业',
  'ev-charging-operator': '充电运营商',
  'education-body': '教育机构',
  'education-authority': '教育主管部门',
  university: '高等院校',
  school: '学校',
  edtech: '教育科技企业',
};

const GRADES: Readonly<Record<string, string>> = {
  general: '一般数据',
  important: '重要数据',
  core: '核心数据',
};

const REGIONS: Readonly<Record<string, string>> = {
  CN: '中国',
  'CN-AH': '安徽',
  'CN-BJ': '北京',
  'CN-CQ': '重庆',
  'CN-FJ': '福建',
  'CN-GD': '广东',
  'CN-GS': '甘肃',
  'CN-GX': '广西',
  'CN-GZ': '贵州',
  'CN-HA': '河南',
  'CN-HB': '湖北',
  'CN-HE': '河北',
  'CN-HI': '海南',
  'CN-HK': '香港',
  'CN-HL': '黑龙江',
  'CN-HN': '湖南',
  'CN-JL': '吉林',
  'CN-JS': '江苏',
  'CN-JX': '江西',
  'CN-LN': '辽宁',
  'CN-MO': '澳门',
  'CN-NM': '内蒙古',
  'CN-NX': '宁夏',
  'CN-QH': '青海',
  'CN-SC': '四川',
  'CN-SD': '山东',
  'CN-SH': '上海',
  'CN-SN': '陕西',
  'CN-SX': '山西',
  'CN-TJ': '天津',
  'CN-TW': '台湾',
  'CN-XJ': '新疆',
  'CN-XZ': '西藏',
  'CN-YN': '云南',
  'CN-ZJ': '浙江',
  EU: '欧盟',
  EEA: '欧洲经济区',
};

const ACTIONS: Readonly<Record<string, string>> = {
  use: '使用数据',
  read: '读取数据',
  distribute: '分发数据',
  transfer: '将数据转让给他人',
  sell: '出售数据',
  anonymize: '对数据进行匿名化处理',
  delete: '删除数据',
  inform: '通知提供方',
  attribute: '注明数据提供方',
  compensate: '支付',
  obtainConsent: '取得同意',
  watermark: '为数据加水印',
  reproduce: '复制数据',
  modify: '修改数据',
  derive: '由数据派生新数据',
  aggregate: '汇总数据',
  display: '展示数据',
  print: '打印数据',
  archive: '归档数据',
  index: '为数据建立索引',
  present: '展示数据',
  execute: '运行数据',
  translate: '翻译数据',
  ensureExclusivity: '保持独占使用',
};

/** The Chinese name of a sector, data grade, purpose or sector role; undefined when it has none. */
export function chineseName(kind: 'sector' | 'grade' | 'purpose' | 'role', code: string): string | undefined {
  const names = { sector: SECTORS, grade: GRADES, purpose: PURPOSES, role: ROLES }[kind];
  return Object.prototype.hasOwnProperty.call(names, code) ? names[code] : undefined;
}

const COMPARISON: Readonly<Record<string, string>> = {
  eq: '恰好',
  neq: '不等于',
  lt: '少于',
  lteq: '最多',
  gt: '超过',
  gteq: '至少',
};

const NEGATIVE = new Set(['neq', 'isNoneOf']);

/** A space between Latin letters and Chinese characters: 「持有 MembershipCredential 和 SectorCredential」. */
export function spaced(text: string): string {
  return text
    .replace(/([A-Za-z])(?=[\u4e00-\u9fff])/g, '$1 ')
    .replace(/([\u4e00-\u9fff])(?=[A-Za-z])/g, '$1 ');
}

/** "甲、乙或丙" (or 和). */
export function zhList(items: readonly string[], conjunction: '或' | '和' = '或'): string {
  if (items.length <= 1) return items[0] ?? '';
  return spaced(`${items.slice(0, -1).join('、')}${conjunction}${items[items.length - 1]}`);
}

const UNITS: ReadonlyArray<string> = ['年', '个月', '周', '天', '小时', '分钟', '秒'];

/** "P180D" → "180 天", "P1Y2M" → "1 年 2 个月"; anything else as written. */
export function zhDuration(text: string): string {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(
    text,
  );
  if (!match || text === 'P' || text.endsWith('T')) return text;
  return UNITS.flatMap((unit, i) =>
    match[i + 1] === undefined ? [] : [`${Number(match[i + 1])} ${unit}`],
  ).join(' ');
}

/** "2026-12-31" → "2026年12月31日"; an instant with its time and offset, in `timeZone` when given. */
export function zhDateTime(v: TypedValue & { type: 'dateTime' }, timeZone?: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/.exec(v.text);
  if (v.end !== v.start && day) {
    const zone =
      day[4] === undefined || day[4] === '+08:00' ? '' : ` (${day[4] === 'Z' ? '+00:00' : day[4]})`;
    return `${Number(day[1])}年${Number(day[2])}月${Number(day[3])}日${zone}`;
  }
  const instant = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(
    v.text,
  );
  if (timeZone === undefined && instant) {
    const zone = instant[6] === undefined ? '' : ` (${instant[6] === 'Z' ? '+00:00' : instant[6]})`;
    return `${Number(instant[1])}年${Number(instant[2])}月${Number(instant[3])}日 ${instant[4]}:${instant[5]}${zone}`;
  }
  const p = zonedParts(v.start, timeZone ?? 'Asia/Shanghai');
  return `${p.year}年${p.month}月${p.day}日 ${p.hour}:${p.minute} (${p.offset})`;
}

function asCondition(phrase: string): string {
  return phrase.replace(/^仅限用途：/, '用途为').replace(/^使用地点：/, '在');
}

export function chineseWording(timeZone?: string): Wording {
  const show = (v: TypedValue): string => {
    if (v.type === 'duration') return zhDuration(v.text);
    if (v.type === 'dateTime') return zhDateTime(v, timeZone);
    if (v.type === 'grade') return GRADES[v.value] ?? `${v.value} 级`;
    if (v.type === 'iri') return term(v.value);
    return v.text;
  };
  const named =
    (names: Readonly<Record<string, string>>) =>
    (iri: string): string => {
      const local = /[#/]([^#/]+)$/.exec(iri)?.[1] ?? iri.replace(/^shuyu:/, '');
      return names[local] ?? term(iri);
    };
  const region = (code: string): string => (REGIONS[code] ? `${REGIONS[code]} (${code})` : code);
  const joined = (c: AtomicConstraint, name?: (iri: string) => string): string =>
    zhList(
      c.rightOperand.map((v) =>
        name && (v.type === 'iri' || v.type === 'string') ? name(v.value) : show(v),
      ),
      c.operator === 'isAllOf' || c.operator === 'hasPart' ? '和' : '或',
    );
  const cmp = (c: AtomicConstraint): string => COMPARISON[c.operator] ?? c.operator;
  const narrower = (c: AtomicConstraint, what: string): string =>
    c.operator === 'isA' || c.operator === 'isPartOf' ? `（含其下级${what}）` : '';
  const action = (name: string): string => ACTIONS[name] ?? term(name);

  const phrase = (c: AtomicConstraint): string | undefined => {
    const not = NEGATIVE.has(c.operator) ? '不' : '';
    switch (c.leftOperand) {
      case 'shuyu:credentialType':
        return `${not}持有 ${joined(c)}`;
      case 'shuyu:sector':
        return `${not}属于${joined(c, named(SECTORS))}行业${narrower(c, '行业')}`;
      case 'shuyu:sectorRole':
        return `身份${not ? '不' : ''}为${joined(c, named(ROLES))}${narrower(c, '类别')}`;
      case 'shuyu:memberRole':
        return `成员角色${not ? '不' : ''}为 ${joined(c)}`;
      case 'shuyu:dataSpace':
        return `${not}属于数据空间 ${joined(c)}`;
      case 'shuyu:registrationNumber':
        return `登记号${not ? '不' : ''}为 ${joined(c)}`;
      case 'shuyu:dataGradeClearance':
        if (c.operator === 'gteq') return `具有${joined(c)}或更高级别的数据分级许可`;
        if (c.operator === 'gt') return `具有高于${joined(c)}的数据分级许可`;
        return `数据分级许可${cmp(c)}${joined(c)}`;
      case 'shuyu:dataGrade':
        return `数据分级${cmp(c)}${joined(c)}`;
      case 'purpose':
        if (not) return `用途不得为：${joined(c, named(PURPOSES))}`;
        return `仅限用途：${joined(c, named(PURPOSES))}${narrower(c, '用途')}`;
      case 'spatial':
        if (not) return `不得在以下地点使用：${joined(c, region)}`;
        return `使用地点：${joined(c, region)}`;
      case 'dateTime':
        if (c.operator === 'gteq') return `自 ${joined(c)} 起`;
        if (c.operator === 'gt') return `${joined(c)} 之后`;
        if (c.operator === 'lt') return `${joined(c)} 之前`;
        if (c.operator === 'lteq') return `截止 ${joined(c)}`;
        return undefined;
      case 'elapsedTime':
        return `自首次使用起${cmp(c)} ${joined(c)}`;
      case 'meteredTime':
        return `累计使用时长${cmp(c)} ${joined(c)}`;
      case 'count':
        if (c.operator === 'lteq') return `最多使用 ${joined(c)} 次`;
        if (c.operator === 'lt') return `使用少于 ${joined(c)} 次`;
        return `使用次数${cmp(c)} ${joined(c)} 次`;
      case 'payAmount':
        return `支付 ${joined(c)}${c.unit ? ' ' + term(c.unit) : ''} 后`;
      default:
        return undefined;
    }
  };

  return {
    constraint: (c) => {
      const text = phrase(c);
      return text === undefined ? undefined : spaced(text);
    },
    either: (parts) => `以下任一：${parts.map((p) => `（${p}）`).join('或')}`,
    exactlyOne: (parts) => `以下恰好一项：${parts.map((p) => `（${p}）`).join('、')}`,
    all: (parts) => parts.join('，且'),
    dutyCondition(c) {
      if (c.leftOperand === 'elapsedTime') return `自首次使用起${cmp(c)} ${joined(c)}`;
      if (c.leftOperand === 'meteredTime') return `累计使用时长${cmp(c)} ${joined(c)}`;
      if (c.leftOperand === 'count') return `使用次数${cmp(c)} ${joined(c)} 次`;
      return undefined;
    },
    dutyWhen: (phrase) => phrase,
    within: (c) => `在首次使用后 ${joined(c)}内`,
    amount: (c) => `${joined(c)}${c.unit ? ' ' + term(c.unit) : ''}`,
    duty: (name, how, conditions, parties) => {
      // A deadline goes before the action: 「在首次使用后 180 天内删除数据」.
      const deadline = how.filter((h) => h.startsWith('在首次使用后'));
      const rest = how.filter((h) => !h.startsWith('在首次使用后'));
      return spaced(
        `${deadline.join('')}${name}${rest.length ? ' ' + rest.join(' ') : ''}` +
          `${conditions.length ? `（仅当${conditions.join('且')}时）` : ''}` +
          `${parties.length ? `（${parties.join('；')}）` : ''}`,
      );
    },
    party: (role, ids) => `${role === 'informedParty' ? '被通知方' : term(role)}：${zhList(ids)}`,
    action,
    who(rule: Rule, phrases) {
      const party = rule.assignee?.id
        ? rule.assignee.collection
          ? `${rule.assignee.id} 的成员`
          : `仅限 ${rule.assignee.id}`
        : phrases.length > 0
          ? '成员'
          : '能看到此要约的任何人';
      return spaced(phrases.length > 0 ? `${party}（${phrases.join('；')}）` : party);
    },
    what: (name, phrases) => (phrases.length ? `${name}（${phrases.join('；')}）` : name),
    when: (phrases) => (phrases.length > 0 ? phrases.join('，') : '无时间限制'),
    permission: (who, what, when, duties) =>
      `${who}可以${what}，${when}。` + (duties.length > 0 ? `须：${duties.join('；')}。` : ''),
    prohibition: (name, conditions, remedies) =>
      // A prohibition's condition is not a limit: 「用途为市场营销时」, not 「仅限用途：市场营销」.
      `禁止：${name}${conditions.length ? `（${conditions.map(asCondition).join('，且')}时）` : ''}` +
      `${remedies.length ? `（如有违反：${remedies.join('；')}）` : ''}。`,
    obligation: (duty) => `每个使用方都须${duty}。`,
    unreadable: (problems) =>
      `此要约无法读取，因此不允许任何使用${problems.length ? `：${problems.join('；')}` : '。'}`,
    permitsNothing: '此要约不允许任何使用。',
    sentence: (text) => text,
  };
}
