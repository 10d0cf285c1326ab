// State names as people read them: on a Chinese page the translation with the protocol's own name
// beside it as a small code (operators search logs and the DSP spec by it); on an English page the
// protocol name alone. Unknown states show as they are.
import type { ConsoleContext } from './console.js';
import { html, type Html } from './html.js';
import type { Phrase } from './i18n.js';
import { ZH } from './zh.js';

/** Negotiation, transfer, duty, member, application, product, crawl and held-step names with a translation. */
function phraseOf(state: string): Phrase | undefined {
  return Object.prototype.hasOwnProperty.call(ZH, state) ? (state as Phrase) : undefined;
}

/** The state in words (for sentences and notices). */
export function stateName(ctx: ConsoleContext, state: string): string {
  const phrase = phraseOf(state);
  if (phrase === undefined || ctx.lang === 'en') return state;
  return `${ctx.t(phrase)} (${state})`;
}

/** The state for a table cell or heading: 「已完成 FINALIZED」 with the code small. */
export function stateLabel(ctx: ConsoleContext, state: string): Html {
  const phrase = phraseOf(state);
  if (phrase === undefined || ctx.lang === 'en') return html`${state}`;
  return html`${ctx.t(phrase)} <code class="code">${state}</code>`;
}
