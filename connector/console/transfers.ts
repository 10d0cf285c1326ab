// Transfers: start one under an agreement with the purpose and place of use declared, follow its state,
// download the data (pull: the console fetches it from the provider's data plane with the transfer's
// token and streams it to the browser), suspend, resume, complete, terminate; and for its agreement the
// usage so far, the limits in words and the duties with their deadlines.
import type { Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { usageLeftFromHeaders, type ObservedUsageLeft, type UsageLeft } from '../dataplane/index.js';
import { actionWords } from '../../catalog/federation/summary/offer-summary.js';
import { heldStep } from '../control-plane/index.js';
import { sendRequest, sharedAgents } from '../dataplane/net/request.js';
import { readDataAddress, type DataAddress } from '../dsp/messages/index.js';
import { HttpProblem } from '../http/problem.js';
import { encodeSegment } from '../http/text.js';
import { assertFetchAllowed } from '../identity/net/host-policy.js';
import { declaredUsageInput } from '../management/usage-input.js';
import type { TransferRecord } from '../transfer/index.js';
import { describe, field, listField, type ConsoleApp } from './app.js';
import {
  csrfField,
  html,
  problemText,
  reasonText,
  stateLabel,
  stateName,
  summariseFor,
  timeTag,
  zonedTimeTag,
  type ConsoleContext,
  type Html,
  type Phrase,
} from './kit/index.js';

const ACTIONS: readonly { name: 'start' | 'suspend' | 'resume' | 'complete' | 'terminate'; label: Phrase }[] =
  [
    { name: 'start', label: 'Start' },
    { name: 'suspend', label: 'Suspend' },
    { name: 'resume', label: 'Resume' },
    { name: 'complete', label: 'Complete' },
    { name: 'terminate', label: 'Terminate' },
  ];

export function transferPages(app: ConsoleApp): void {
  const { plane, services, connector } = app.deps;

  app.page('/transfers', async (_req, ctx) => {
    const records = await plane.transfers.list({ limit: 200 });
    const { t } = ctx;
    return {
      title: t('Transfers'),
      body: html`<h1>${t('Transfers')}</h1>
        ${records.length === 0 ? html`<p>${t('No transfers yet: start one from a finalized contract.')}</p>` : ''}
        <div class="scroll">
          <table id="transfers">
            <tr>
              <th>${t('Transfer')}</th>
              <th>${t('Agreement')}</th>
              <th>${t('Our role')}</th>
              <th>${t('State')}</th>
              <th>${t('Updated')}</th>
            </tr>
            ${records.map(
              (r) =>
                html`<tr data-transfer="${r.id}">
                  <td><a href="${app.base}/transfers/${encodeSegment(r.id)}">${r.id}</a></td>
                  <td>${r.agreementId}</td>
                  <td>${t(r.role === 'provider' ? 'provider' : 'consumer')}</td>
                  <td class="state">${stateLabel(ctx, r.state)}</td>
                  <td>${timeTag(r.updatedAt)}</td>
                </tr>`,
            )}
          </table>
        </div>`,
    };
  });

  app.action('/transfers/start', async (req, ctx) => {
    const usage = declaredUsageInput({
      purpose: listField(field(req, 'purpose')),
      spatial: listField(field(req, 'place')),
    });
    const record = await plane.transferActions.request({
      agreementId: field(req, 'agreementId'),
      format: field(req, 'format') || 'HttpData-PULL',
      ...usage,
    });
    return {
      to: `${app.base}/transfers/${encodeSegment(record.id)}`,
      flash: ctx.t('Transfer requested: it is {state}.', { state: stateName(ctx, record.state) }),
    };
  });

  app.page('/transfers/:id', async (req, ctx) => {
    const id = String(req.params.id);
    const record = await plane.transfers.get(id);
    if (!record) throw new HttpProblem(404, 'transfer-not-found', ctx.t('No such transfer.'));
    const { t } = ctx;
    const negotiation =
      (await plane.negotiations.findByAgreementId(record.role, record.agreementId)) ?? undefined;
    const limits = negotiation?.agreement ? await summariseFor(ctx, negotiation.agreement) : undefined;
    const usage = await services.meter.usage(record.agreementId);
    const left = await services.leftOf(record);
    const duties =
      record.role === 'consumer'
        ? await services.obligations.forConsumer(record.agreementId)
        : await services.obligations.list(record.agreementId);
    const held = heldStep(plane.automation.modes, 'transfer', record);
    // Each state change is in the evidence log: that is the transfer's timeline.
    const changes = await services.log.entries({ subject: record.id, kind: 'transfer-state', limit: 100 });
    const downloadable = record.role === 'consumer' && record.state === 'STARTED' && access(record).endpoint;
    return {
      title: t('Transfer'),
      body: html`<h1>
          ${t('Transfer')} <span class="state" id="transfer-state">${stateLabel(ctx, record.state)}</span>
        </h1>
        <p class="meta">${record.id}</p>
        <div class="scroll">
          <table>
            <tr>
              <th>${t('Agreement')}</th>
              <td>
                <a href="${app.base}/contracts/${encodeSegment(negotiation?.id ?? '')}"
                  >${record.agreementId}</a
                >
              </td>
            </tr>
            <tr>
              <th>${t('Counterparty')}</th>
              <td>${record.counterPartyId}</td>
            </tr>
            <tr>
              <th>${t('Our role')}</th>
              <td>${t(record.role === 'provider' ? 'provider' : 'consumer')}</td>
            </tr>
            <tr>
              <th>${t('Format')}</th>
              <td>${record.format}</td>
            </tr>
            <tr>
              <th>${t('Started')}</th>
              <td>${timeTag(record.createdAt)}</td>
            </tr>
            <tr>
              <th>${t('Updated')}</th>
              <td>${timeTag(record.updatedAt)}</td>
            </tr>
            ${
              record.reason
                ? html`<tr>
                    <th>${t('Reason')}</th>
                    <td>${reasonText(ctx, record.reason)}</td>
                  </tr>`
                : ''
            }
            <tr>
              <th>${t('Uses so far')}</th>
              <td id="usage">
                ${usage ? html`${usage.count} · ${t('first use')} ${timeTag(usage.firstUseAt.toISOString())}` : t('none recorded here')}
              </td>
            </tr>
            <tr>
              <th>${t('Usage left')}</th>
              <td id="usage-left">${usageLeftText(ctx, record, left)}</td>
            </tr>
            <tr>
              <th>${t('Limits')}</th>
              <td>
                ${
                  limits?.permissions
                    .map((p) => p.when)
                    .filter(Boolean)
                    .join('; ') || t('no time limit')
                }
              </td>
            </tr>
          </table>
        </div>
        ${
          record.state === 'REQUESTED' && record.role === 'consumer'
            ? html`<p class="meta">
                ${t('Waiting for the provider to start the transfer. Reload to see its progress.')}
              </p>`
            : ''
        }
        ${
          downloadable
            ? html`<p>
                <a id="download" href="${app.base}/transfers/${encodeSegment(record.id)}/download" download
                  >${t('Download the data')}</a
                >
              </p>`
            : ''
        }
        ${held ? html`<p class="flash">${t('The next step waits for your decision: {step}.', { step: stateName(ctx, held) })}</p>` : ''}
        ${actionsBlock(app, ctx, record)}
        <h2>${t('Duties')}</h2>
        ${duties.length === 0 ? html`<p>${t('none')}</p>` : ''}
        <ul id="duties">
          ${duties.map(
            (d) =>
              html`<li>
                ${actionWords(d.action, ctx.lang)} (${t(d.performer)}) ·
                ${stateLabel(ctx, d.state)}${d.deadline ? html` · ${t('due')} ${timeTag(d.deadline)}` : ''}
              </li>`,
          )}
        </ul>
        <h2>${t('Timeline')}</h2>
        <ol class="timeline" id="timeline">
          ${changes.map((e) => {
            const data = e.data as { to?: unknown; reason?: unknown };
            return html`<li>
              ${stateLabel(ctx, String(data.to ?? ''))} ·
              ${timeTag(e.at)}${typeof data.reason === 'string' ? html`: ${reasonText(ctx, data.reason)}` : ''}
            </li>`;
          })}
        </ol>
        <p>
          <a href="${app.base}/evidence?subject=${encodeSegment(record.id)}"
            >${t('Evidence of this transfer')}</a
          >
        </p>`,
    };
  });

  for (const action of ACTIONS) {
    app.action(`/transfers/:id/${action.name}`, async (req, ctx) => {
      const id = String(req.params.id);
      const actions = plane.transferActions;
      const reason = field(req, 'reason');
      const record =
        action.name === 'start'
          ? await actions.start(id)
          : action.name === 'suspend'
            ? await actions.suspend(id, reason || undefined)
            : action.name === 'resume'
              ? await actions.resume(id)
              : action.name === 'complete'
                ? await actions.complete(id)
                : await actions.terminate(id, reason || 'terminated by the operator');
      return {
        to: `${app.base}/transfers/${encodeSegment(id)}`,
        flash: ctx.t('Done: the transfer is now {state}.', { state: stateName(ctx, record.state) }),
      };
    });
  }

  // The data of a started pull transfer, through the console (the browser never sees the token).
  app.router.get(`${app.base}/transfers/:id/download`, async (req, res) => {
    const ctx = app.kit.context(req, res);
    if (!ctx.user) return void res.redirect(303, `${app.base}/login`);
    const record = await plane.transfers.get(String(req.params.id));
    const { endpoint, authorization } = record ? access(record) : {};
    if (!record || record.state !== 'STARTED' || !endpoint || !authorization)
      return void refuse(
        app,
        res,
        ctx,
        ctx.t('This transfer has no data to download now (it must be a STARTED pull transfer).'),
      );
    try {
      const policy = connector.hostPolicy;
      const url = assertFetchAllowed(policy, endpoint, 'The transfer endpoint');
      const allowPrivate = policy.allowHttpForLoopback === true;
      const response = await sendRequest({
        url,
        method: 'GET',
        headers: {
          authorization: /^\S+ /.test(authorization) ? authorization : `Bearer ${authorization}`,
          accept: '*/*',
          'accept-encoding': 'identity',
        },
        agents: sharedAgents(allowPrivate, 'ERR_FETCH_REFUSED'),
        guard: { allowPrivateAddresses: allowPrivate },
        refusalCode: 'ERR_FETCH_REFUSED',
        failureCode: 'ERR_FETCH_FAILED',
        timeoutMs: 30_000,
      });
      const status = response.statusCode ?? 502;
      // The provider says with every pull (a refused one too) what is left: recorded on the transfer.
      const left = usageLeftFromHeaders((name) => response.headers[name]);
      if (left !== undefined) await services.usageLeft.record(record.id, left, new Date());
      if (status !== 200) {
        const why = await problemOf(response);
        return void refuse(
          app,
          res,
          ctx,
          `${ctx.t('The provider refused the download (HTTP {status}).', { status })}${why ? ` ${problemText(ctx, why)}` : ''}`,
        );
      }
      res.status(200);
      res.setHeader('Content-Type', response.headers['content-type'] ?? 'application/octet-stream');
      if (response.headers['content-length'])
        res.setHeader('Content-Length', response.headers['content-length']);
      res.setHeader('Content-Disposition', `attachment; filename="${fileName(record)}"`);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', 'no-store');
      response.pipe(res);
    } catch (error) {
      refuse(app, res, ctx, describe(ctx, error));
    }
  });
}

/** The provider's problem+json (code from its type, detail), read up to 8 KiB; undefined if it sent none. */
async function problemOf(response: IncomingMessage): Promise<{ code: string; message: string } | undefined> {
  let text = '';
  for await (const chunk of response) {
    if (text.length < 8192) text += String(chunk);
  }
  try {
    const body = JSON.parse(text) as { type?: unknown; detail?: unknown };
    if (typeof body.detail !== 'string') return undefined;
    const code = typeof body.type === 'string' ? (body.type.split('/').pop() ?? '') : '';
    return { code, message: body.detail };
  } catch {
    return undefined;
  }
}

/** "7 of 10 uses, until 2026-12-31 23:59 (+08:00)", from the provider's meter or its last word to us. */
function usageLeftText(
  ctx: ConsoleContext,
  record: TransferRecord,
  left: UsageLeft | ObservedUsageLeft | undefined,
): Html {
  const { t } = ctx;
  if (left === undefined)
    return html`${t(record.role === 'consumer' ? 'not known yet: the provider tells it with each download' : 'none recorded here')}`;
  const count =
    left.remaining !== undefined && left.limit !== undefined
      ? t('{n} of {limit} uses', { n: left.remaining, limit: left.limit })
      : t('no limit on the number of uses');
  const until = left.until
    ? html`${t(', until')} ${zonedTimeTag(ctx, left.until)}`
    : html`${t(', no time limit')}`;
  const seen =
    'observedAt' in left
      ? html` <span class="meta">(${t('as the provider said')} ${timeTag(left.observedAt)})</span>`
      : '';
  return html`${count}${until}${seen}`;
}

function access(record: TransferRecord): { endpoint?: string; authorization?: string } {
  if (record.dataAddress === null) return {};
  return readDataAddress(record.dataAddress as unknown as DataAddress);
}

function fileName(record: TransferRecord): string {
  return `${record.agreementId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-60) || 'data'}.dat`;
}

function refuse(app: ConsoleApp, res: Response, ctx: ConsoleContext, reason: string): void {
  app.kit.send(
    res,
    409,
    ctx,
    ctx.t('Refused'),
    html`<p><a href="${app.base}/transfers">${ctx.t('Back')}</a></p>`,
    {
      error: reason,
    },
  );
}

function actionsBlock(app: ConsoleApp, ctx: ConsoleContext, record: TransferRecord): Html {
  const { t } = ctx;
  if (record.state === 'COMPLETED' || record.state === 'TERMINATED') return html``;
  const path = `${app.base}/transfers/${encodeSegment(record.id)}`;
  return html`<div class="card" id="transfer-actions">
    ${ACTIONS.filter((a) => a.name !== 'start' || record.role === 'provider').map(
      (a) =>
        html`<form method="post" action="${path}/${a.name}" class="inline">
          ${csrfField(ctx)}${
            a.name === 'suspend' || a.name === 'terminate'
              ? html`<label>${t('Reason')} <input name="reason" size="14" /></label>`
              : ''
          }<button class="${a.name === 'terminate' ? 'danger' : 'secondary'}">${t(a.label)}</button>
        </form>`,
    )}
  </div>`;
}
