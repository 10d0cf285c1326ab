// An offer's policy in plain words, as both consoles show it, in the viewer's language and zone.
import {
  summariseOffer,
  type OfferSummary,
  type SummaryOptions,
} from '../../../catalog/federation/summary/offer-summary.js';
import { chineseName } from '../../../catalog/federation/summary/chinese.js';
import type { ConsoleContext } from './console.js';
import { html, type Html } from './html.js';

/** A sector, data grade, purpose or role code as this viewer reads it (「医疗」 on a Chinese page). */
export function termLabel(
  ctx: ConsoleContext,
  kind: 'sector' | 'grade' | 'purpose' | 'role',
  code: string,
): string {
  return ctx.lang === 'zh-CN' ? (chineseName(kind, code) ?? code) : code;
}

/** `<option>`s for sector or grade codes: the code is sent, the viewer reads its name (「医疗」 in Chinese). */
export function codeOptions(
  ctx: ConsoleContext,
  kind: 'sector' | 'grade',
  codes: readonly string[],
  selected?: string,
): Html[] {
  return codes.map(
    (code) =>
      html`<option value="${code}" ${code === selected ? 'selected' : ''}>
        ${termLabel(ctx, kind, code)}
      </option>`,
  );
}

/** The summariser's options for this viewer: the page's language, and the zone the page script reported. */
export function summaryOptions(ctx: ConsoleContext): SummaryOptions {
  return { locale: ctx.lang, ...(ctx.timeZone ? { timeZone: ctx.timeZone } : {}) };
}

/** An ODRL offer, agreement or policy in the viewer's words. */
export function summariseFor(ctx: ConsoleContext, offer: unknown): Promise<OfferSummary> {
  return summariseOffer(offer, summaryOptions(ctx));
}

/**
 * A summary the federated catalog stored at crawl time (English, with its translations) in the
 * viewer's language; the English one when the index predates translations.
 */
export function localised(ctx: ConsoleContext, summary: OfferSummary): OfferSummary {
  return ctx.lang === 'en' ? summary : (summary.translations?.[ctx.lang] ?? summary);
}

/** An offer's policy in plain words (who, for what, until when, with which duties), for both consoles. */
export function offerSummary(ctx: ConsoleContext, summary: OfferSummary): Html {
  const { t } = ctx;
  return html`${summary.permissions.map(
    (p) =>
      html`<div class="scroll">
        <table>
          <tr>
            <th>${t('Who may use it')}</th>
            <td>${p.who}</td>
          </tr>
          <tr>
            <th>${t('For what')}</th>
            <td>${p.what}</td>
          </tr>
          <tr>
            <th>${t('Until when')}</th>
            <td>${p.when || t('no time limit')}</td>
          </tr>
          <tr>
            <th>${t('With which duties')}</th>
            <td>${p.duties.length ? p.duties.join(ctx.lang === 'en' ? '; ' : '；') : t('none')}</td>
          </tr>
        </table>
      </div>`,
  )}
  ${summary.prohibitions.map((p) => html`<p>${p}</p>`)} ${summary.obligations.map((p) => html`<p>${p}</p>`)}
  ${(summary.problems ?? []).map((p) => html`<p class="bad">${t('The policy has errors.')} ${p}</p>`)}`;
}
