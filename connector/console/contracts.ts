// Contracts: our negotiations (both roles) with a timeline, the operator's decisions on a held step
// (agree, finalize, counter-offer, accept, verify, counter-request, terminate: the management API's
// actions, called in-process), and agreements with both parties' signatures and their terms in words.
import { heldStep } from '../control-plane/index.js';
import { AgreementSignatureStore } from '../control-plane/records.js';
import { HttpProblem } from '../http/problem.js';
import { encodeSegment } from '../http/text.js';
import type { EvidenceEntry } from '../evidence/index.js';
import type { NegotiationRecord } from '../negotiation/index.js';
import type { Request } from 'express';
import { checkPolicy } from '../../policies/index.js';
import { field, type ConsoleApp } from './app.js';
import { commonConstraints, commonTermsFields, parseJson, withCommonConstraints } from './publish.js';
import {
  csrfField,
  html,
  offerSummary,
  reasonText,
  stateLabel,
  stateName,
  summariseFor,
  timeTag,
  type ConsoleContext,
  type Html,
  type Phrase,
} from './kit/index.js';

/** The states a negotiation passes on its way to an agreement, in order. */
const PATH = ['REQUESTED', 'OFFERED', 'ACCEPTED', 'AGREED', 'VERIFIED', 'FINALIZED'] as const;

const ACTIONS: Readonly<Record<'provider' | 'consumer', readonly { name: string; label: Phrase }[]>> = {
  provider: [
    { name: 'agree', label: 'Agree' },
    { name: 'finalize', label: 'Finalize' },
  ],
  consumer: [
    { name: 'accept', label: 'Accept the offer' },
    { name: 'verify', label: 'Verify the agreement' },
  ],
};

export function contractPages(app: ConsoleApp): void {
  const { plane, connector } = app.deps;
  const signatures = new AgreementSignatureStore(connector.db);

  app.page('/contracts', async (_req, ctx) => {
    const records = await plane.negotiations.list({ limit: 200 });
    const { t } = ctx;
    return {
      title: t('Contracts'),
      body: html`<h1>${t('Contracts')}</h1>
        ${records.length === 0 ? html`<p>${t('No negotiations yet: find data under Discover and negotiate it.')}</p>` : ''}
        <div class="scroll">
          <table id="negotiations">
            <tr>
              <th>${t('Dataset')}</th>
              <th>${t('Counterparty')}</th>
              <th>${t('Our role')}</th>
              <th>${t('State')}</th>
              <th>${t('Updated')}</th>
            </tr>
            ${records.map(
              (r) =>
                html`<tr data-negotiation="${r.id}">
                  <td><a href="${app.base}/contracts/${encodeSegment(r.id)}">${r.datasetId ?? r.id}</a></td>
                  <td>${r.counterPartyId}</td>
                  <td>${t(r.role === 'provider' ? 'provider' : 'consumer')}</td>
                  <td class="state">
                    ${stateLabel(ctx, r.state)}${heldStep(plane.automation.modes, 'negotiation', r) ? html` · <strong>${t('waiting for you')}</strong>` : ''}
                  </td>
                  <td>${timeTag(r.updatedAt)}</td>
                </tr>`,
            )}
          </table>
        </div>`,
    };
  });

  app.page('/contracts/:id', async (req, ctx) => {
    const id = String(req.params.id);
    const record = await plane.negotiations.get(id);
    if (!record) throw new HttpProblem(404, 'negotiation-not-found', ctx.t('No such negotiation.'));
    const { t } = ctx;
    const held = heldStep(plane.automation.modes, 'negotiation', record);
    const terms = await summariseFor(ctx, record.agreement ?? record.offer);
    const sig = record.agreementId ? await signatures.get(record.id) : undefined;
    // What the evidence log recorded about the agreement (signatures, verification, duties).
    const recorded = record.agreementId
      ? await app.deps.services.log.entries({ subject: record.agreementId, limit: 100 })
      : [];
    // Each state change is in the evidence log: that is the negotiation's timeline.
    const changes = await app.deps.services.log.entries({
      subject: record.id,
      kind: 'negotiation-state',
      limit: 100,
    });
    const transfers = record.agreementId
      ? (await plane.transfers.list({ limit: 200 })).filter((x) => x.agreementId === record.agreementId)
      : [];
    const usage = { purpose: req.query.purpose, place: req.query.place };
    const declared = (v: unknown) => (Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : '');
    return {
      title: t('Contract'),
      body: html`<h1>
          ${t('Negotiation')}
          <span class="state" id="negotiation-state">${stateLabel(ctx, record.state)}</span>
        </h1>
        <p class="meta">${record.id}</p>
        <div class="scroll">
          <table>
            <tr>
              <th>${t('Dataset')}</th>
              <td>${record.datasetId ?? ''}</td>
            </tr>
            <tr>
              <th>${t('Counterparty')}</th>
              <td>${record.counterPartyId}<br /><span class="meta">${record.counterPartyAddress}</span></td>
            </tr>
            <tr>
              <th>${t('Our role')}</th>
              <td>${t(record.role === 'provider' ? 'provider' : 'consumer')}</td>
            </tr>
            ${
              record.reason
                ? html`<tr>
                    <th>${t('Reason')}</th>
                    <td>${reasonText(ctx, record.reason)}</td>
                  </tr>`
                : ''
            }
          </table>
        </div>
        <h2>${t('Timeline')}</h2>
        ${timeline(app, ctx, record, statesReached(record, changes))}
        ${
          recorded.length
            ? html`<h3>${t('Recorded in the evidence log')}</h3>
                <ul id="recorded">
                  ${recorded.map((e) => html`<li>${stateLabel(ctx, e.kind)} · ${timeTag(e.at)} · <a href="${app.base}/evidence/${e.seq}">#${e.seq}</a></li>`)}
                </ul>`
            : ''
        }
        ${actionsBlock(app, ctx, record, held)}
        <h2>${record.agreement ? t('Agreed terms') : t('Offered terms')}</h2>
        <div class="card" id="terms">${offerSummary(ctx, terms)}</div>
        ${
          record.agreementId
            ? html`<h2>${t('Agreement')}</h2>
                <div class="scroll">
                  <table id="agreement">
                    <tr>
                      <th>${t('Agreement id')}</th>
                      <td>${record.agreementId}</td>
                    </tr>
                    <tr>
                      <th>${t('Digest')}</th>
                      <td>${sig?.digest ?? ''}</td>
                    </tr>
                    <tr>
                      <th>${t('Provider’s signature')}</th>
                      <td class="signature">${sig?.providerSignature ?? t('not yet')}</td>
                    </tr>
                    <tr>
                      <th>${t('Consumer’s signature')}</th>
                      <td class="signature">${sig?.consumerSignature ?? t('not yet')}</td>
                    </tr>
                  </table>
                </div>
                <p>
                  <a href="${app.base}/evidence?subject=${encodeSegment(record.agreementId)}"
                    >${t('Evidence of this agreement')}</a
                  >
                </p>`
            : ''
        }
        ${
          record.role === 'consumer' && record.state === 'FINALIZED' && record.agreementId
            ? html`<h2>${t('Start a transfer')}</h2>
                <form method="post" action="${app.base}/transfers/start" class="stack" id="start-transfer">
                  ${csrfField(ctx)}<input type="hidden" name="agreementId" value="${record.agreementId}" />
                  <label
                    >${t('Purpose')}
                    <span class="meta"
                      >${t('What the data will be used for, as the policy names it (several: separate with commas).')}</span
                    >
                    <input
                      name="purpose"
                      required
                      value="${declared(usage.purpose)}"
                      placeholder="scientific-research"
                  /></label>
                  <label
                    >${t('Place of use')}
                    <span class="meta"
                      >${t('Where it will be used: an ISO 3166 code such as CN or CN-11.')}</span
                    >
                    <input name="place" required value="${declared(usage.place)}" placeholder="CN"
                  /></label>
                  <label>${t('Format')} <input name="format" value="HttpData-PULL" /></label>
                  <div><button>${t('Start the transfer')}</button></div>
                </form>`
            : ''
        }
        ${
          transfers.length
            ? html`<h2>${t('Transfers')}</h2>
                <ul>
                  ${transfers.map((x) => html`<li><a href="${app.base}/transfers/${encodeSegment(x.id)}">${x.id}</a> · ${stateLabel(ctx, x.state)}</li>`)}
                </ul>`
            : ''
        }`,
    };
  });

  for (const name of ['agree', 'finalize', 'accept', 'verify', 'terminate', 'offer', 'request'] as const) {
    app.action(`/contracts/:id/${name}`, async (req, ctx) => {
      const id = String(req.params.id);
      const actions = plane.negotiationActions;
      const counter = async () => {
        const current = await plane.negotiations.get(id);
        if (!current) throw new HttpProblem(404, 'negotiation-not-found', ctx.t('No such negotiation.'));
        return counterPolicy(req, ctx, current);
      };
      const record =
        name === 'agree'
          ? await actions.agree(id)
          : name === 'finalize'
            ? await actions.finalize(id)
            : name === 'accept'
              ? await actions.accept(id)
              : name === 'verify'
                ? await actions.verify(id)
                : name === 'offer'
                  ? await actions.offer(id, await counter())
                  : name === 'request'
                    ? await actions.request(id, await counter())
                    : await actions.terminate(id, field(req, 'reason') || 'terminated by the operator');
      return {
        to: `${app.base}/contracts/${encodeSegment(id)}`,
        flash: ctx.t('Done: the negotiation is now {state}.', { state: stateName(ctx, record.state) }),
      };
    });
  }
}

/** One state the negotiation reached, and when (from its `negotiation-state` evidence entry). */
interface Reached {
  readonly state: string;
  readonly at: string;
  readonly seq?: number;
  readonly reason?: string;
}

/**
 * The states reached, oldest first. Each state change is an evidence entry written in the transaction of the
 * change; a negotiation older than those entries shows its start and its current state only.
 */
function statesReached(record: NegotiationRecord, entries: readonly EvidenceEntry[]): Reached[] {
  const changes = entries
    .filter((e) => e.kind === 'negotiation-state')
    .map((e) => {
      const data = (e.data ?? {}) as { to?: unknown; reason?: unknown };
      return {
        state: String(data.to ?? ''),
        at: e.at,
        seq: e.seq,
        ...(typeof data.reason === 'string' ? { reason: data.reason } : {}),
      };
    });
  if (changes.length > 0) return changes;
  return [
    { state: '', at: record.createdAt },
    {
      state: record.state,
      at: record.updatedAt,
      ...(record.reason !== null && record.state === 'TERMINATED' ? { reason: record.reason } : {}),
    },
  ];
}

function timeline(app: ConsoleApp, ctx: ConsoleContext, record: NegotiationRecord, reached: Reached[]): Html {
  const { t } = ctx;
  const last = reached.length - 1;
  return html`<ol class="timeline" id="timeline">
    ${reached.map(
      (r, i) =>
        html`<li
          class="${[i === last ? 'state' : '', r.state === 'TERMINATED' ? 'bad' : ''].join(' ').trim()}"
          data-state="${r.state}"
        >
          ${r.state ? stateLabel(ctx, r.state) : t('Started')} ·
          ${timeTag(r.at)}${r.reason ? html`: ${reasonText(ctx, r.reason)}` : ''}
          ${r.seq !== undefined ? html` · <a href="${app.base}/evidence/${r.seq}">#${r.seq}</a>` : ''}
        </li>`,
    )}
    ${
      // What is still ahead on the way to an agreement.
      record.state === 'TERMINATED' || record.state === 'FINALIZED'
        ? ''
        : PATH.slice(PATH.indexOf(record.state as (typeof PATH)[number]) + 1).map(
            (state) => html`<li class="ahead" data-state="${state}">${stateLabel(ctx, state)}</li>`,
          )
    }
  </ol>`;
}

/**
 * The counter-offer (or counter-request) a form asks for: the JSON under "Advanced" (the current terms unless
 * edited; the current terms when absent) with the common terms filled in written over it, checked by the
 * policy engine. A bad policy is refused with its problems and nothing is sent.
 */
async function counterPolicy(
  req: Request,
  ctx: ConsoleContext,
  record: NegotiationRecord,
): Promise<Record<string, unknown>> {
  const text = field(req, 'offer');
  const base = text ? parseJson(ctx, text) : (record.offer as Record<string, unknown>);
  const written = withCommonConstraints(base, commonConstraints(req));
  // Other terms are another offer: its id is minted anew (an edited JSON keeps the id it gives).
  const policy = written === base ? base : withoutId(written);
  const checked = await checkPolicy(policy);
  if (!checked.ok) {
    throw new HttpProblem(
      400,
      'invalid-policy',
      ctx.t('The counter-offer is not a valid policy: nothing was sent.'),
      checked.report
        .filter((p) => p.severity === 'error')
        .map((p) => ({ pointer: p.path || '/', reason: p.message })),
    );
  }
  return policy;
}

function withoutId(policy: Record<string, unknown>): Record<string, unknown> {
  const { '@id': id, ...rest } = policy;
  void id;
  return rest;
}

function actionsBlock(
  app: ConsoleApp,
  ctx: ConsoleContext,
  record: NegotiationRecord,
  held: string | undefined,
): Html {
  const { t } = ctx;
  if (record.state === 'FINALIZED' || record.state === 'TERMINATED') return html``;
  const path = `${app.base}/contracts/${encodeSegment(record.id)}`;
  const counter = record.role === 'provider' ? 'offer' : 'request';
  return html`<h2>${t('Decisions')}</h2>
    ${held ? html`<p class="flash">${t('The next step waits for your decision: {step}.', { step: stateName(ctx, held) })}</p>` : ''}
    <div class="card" id="decisions">
      ${ACTIONS[record.role].map(
        (a) =>
          html`<form method="post" action="${path}/${a.name}" class="inline">
            ${csrfField(ctx)}<button>${t(a.label)}</button>
          </form>`,
      )}
      <form method="post" action="${path}/terminate" class="inline">
        ${csrfField(ctx)}<label>${t('Reason')} <input name="reason" size="20" /></label
        ><button class="danger">${t('Reject')}</button>
      </form>
      <details>
        <summary>${t(counter === 'offer' ? 'Counter-offer' : 'Counter-request')}</summary>
        <form method="post" action="${path}/${counter}" class="stack" id="counter-form">
          ${csrfField(ctx)}
          <p class="meta">
            ${t('The current terms with the changes filled in below; the policy is checked before it is sent.')}
          </p>
          ${commonTermsFields(ctx)}
          <details>
            <summary>${t('Advanced: the terms as ODRL JSON')}</summary>
            <label
              >${t('Offer (ODRL JSON)')}<textarea name="offer" rows="10">
${JSON.stringify(record.offer, null, 2)}</textarea>
            </label>
          </details>
          <div><button>${t('Send')}</button></div>
        </form>
      </details>
    </div>`;
}
