// An offer's policy in plain words, as both consoles show it.
import type { OfferSummary } from '../../../catalog/federation/summary/offer-summary.js';
import type { ConsoleContext } from './console.js';
import { html, type Html } from './html.js';

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
            <td>${p.duties.length ? p.duties.join('; ') : t('none')}</td>
          </tr>
        </table>
      </div>`,
  )}
  ${summary.prohibitions.map((p) => html`<p>${p}</p>`)} ${summary.obligations.map((p) => html`<p>${p}</p>`)}
  ${(summary.problems ?? []).map((p) => html`<p class="bad">${p}</p>`)}`;
}
