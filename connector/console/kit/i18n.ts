// The consoles' two languages. Every visible string is an English phrase (the key) with its Chinese
// translation in ZH; `t` accepts only phrases ZH has, so a page cannot show an untranslated string.
// The language comes from the `shuyu_lang` cookie (the switch), else Accept-Language: Chinese for
// browsers that prefer any zh variant, English otherwise.
import type { Request } from 'express';
import { cookieValue } from './sessions.js';
import { ZH } from './zh.js';

export type Lang = 'zh-CN' | 'en';
export type Phrase = keyof typeof ZH;
export type Translate = (phrase: Phrase, values?: Readonly<Record<string, string | number>>) => string;

export const LANG_COOKIE = 'shuyu_lang';

export function languageOf(req: Request): Lang {
  const chosen = cookieValue(req.headers.cookie, LANG_COOKIE);
  if (chosen === 'zh-CN' || chosen === 'en') return chosen;
  return preferredLanguage(req.headers['accept-language']);
}

/** The first of zh / en in Accept-Language by quality (default English). */
export function preferredLanguage(header: string | undefined): Lang {
  const ranked = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((x) => x.q > 0 && (x.tag.startsWith('zh') || x.tag.startsWith('en')))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.tag.startsWith('zh') ? 'zh-CN' : 'en';
}

export function translator(lang: Lang): Translate {
  return (phrase, values) => {
    const text: string = lang === 'zh-CN' ? ZH[phrase] : phrase;
    return values ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(values[name] ?? m)) : text;
  };
}
