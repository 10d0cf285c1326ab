// Discover: the federated catalog searched as this member (what our credentials let us see, the way
// `shuyu catalog search` asks), another connector's DSP catalog read directly, each offer in plain
// words, and a Negotiate form that declares the purpose and place the data will be used for.
import { datasetsOf } from '../../catalog/federation/crawl/normalise.js';
import type { OfferSummary } from '../../catalog/federation/summary/offer-summary.js';
import type { SearchResult } from '../../catalog/federation/types.js';
import { remoteOffer, requestCatalog } from '../control-plane/index.js';
import type { JsonObject } from '../dsp/messages/index.js';
import { HttpProblem } from '../http/problem.js';
import { encodeSegment } from '../http/text.js';
import { describe, field, listField, query, type ConsoleApp } from './app.js';
import {
  csrfField,
  html,
  localised,
  offerSummary,
  summariseFor,
  termLabel,
  type ConsoleContext,
  type Html,
} from './kit/index.js';

interface ShownOffer {
  readonly id: string;
  readonly summary: OfferSummary;
  /** What the offer permits (from the federated catalog), suggested in the Negotiate form. */
  readonly purposes?: readonly string[];
  readonly regions?: readonly string[];
}

interface ShownDataset {
  readonly datasetId: string;
  readonly title: string;
  readonly description: string;
  readonly sector?: string;
  readonly dataGrade?: string;
  readonly provider: { readonly did: string; readonly name?: string; readonly address?: string };
  readonly offers: readonly ShownOffer[];
}

export function discoverPages(app: ConsoleApp): void {
  const { plane } = app.deps;

  app.page('/discover', async (req, ctx) => {
    const q = query(req, 'q');
    const sector = query(req, 'sector');
    const purpose = query(req, 'purpose');
    let result: SearchResult | undefined;
    let problem: string | undefined;
    try {
      result = await federatedSearch(app, { q, sector, purpose });
    } catch (error) {
      problem = describe(ctx, error);
    }
    const datasets: ShownDataset[] = (result?.results ?? []).map((d) => ({
      datasetId: d.datasetId,
      title: d.title,
      description: d.description,
      ...(d.sector ? { sector: d.sector } : {}),
      ...(d.dataGrade ? { dataGrade: d.dataGrade } : {}),
      provider: {
        did: d.provider.did,
        ...(d.provider.organisationName ? { name: d.provider.organisationName } : {}),
        ...(d.provider.connectorUrl ? { address: d.provider.connectorUrl } : {}),
      },
      offers: d.offers.map((o) => ({
        id: o.id,
        summary: localised(ctx, o.summary),
        purposes: o.features.purposes,
        regions: o.features.regions,
      })),
    }));
    const { t } = ctx;
    return {
      title: t('Discover'),
      body: html`<h1>${t('Discover data')}</h1>
        <form method="get" action="${app.base}/discover" class="inline" role="search">
          <label
            >${t('Search the data space')}
            <input name="q" value="${q}" placeholder="${t('e.g. outpatient visits')}" /></label
          ><label
            >${t('Sector')} <input name="sector" value="${sector}" size="10" placeholder="medical" /></label
          ><label>${t('Purpose')} <input name="purpose" value="${purpose}" size="16" /></label
          ><button>${t('Search')}</button>
        </form>
        ${problem ? html`<div class="error" role="alert">${t('The federated catalog could not be searched:')} ${problem}</div>` : ''}
        ${
          result
            ? html`<p class="meta" id="result-count">
                ${t(result.total === 1 ? '{n} dataset you may see' : '{n} datasets you may see', { n: result.total })}
              </p>`
            : ''
        }
        ${
          result && result.total === 0
            ? html`<p class="meta">
                ${t('Nothing matched. Only datasets whose access policy admits this connector are listed; offers published moments ago appear after the next crawl.')}
              </p>`
            : ''
        }
        ${datasets.map((d) => datasetCard(app, ctx, d))}
        <h2>${t('Browse a connector’s catalog')}</h2>
        <form method="get" action="${app.base}/discover/connector" class="stack">
          <label
            >${t('DSP address')} <input name="address" required placeholder="https://provider.example/dsp"
          /></label>
          <label
            >${t('Participant DID')} <input name="did" required placeholder="did:web:provider.example"
          /></label>
          <div><button>${t('Read its catalog')}</button></div>
        </form>`,
    };
  });

  app.page('/discover/connector', async (req, ctx) => {
    const address = query(req, 'address');
    const did = query(req, 'did');
    if (!address || !did)
      throw new HttpProblem(400, 'invalid-query', ctx.t('Give the DSP address and the DID.'));
    const answer = await requestCatalog(
      plane.client,
      { counterPartyAddress: address, counterPartyId: did },
      plane.context.peerFormats,
    );
    const crawled = datasetsOf(answer.body as JsonObject);
    const datasets: ShownDataset[] = await Promise.all(
      crawled.map(async (d) => ({
        datasetId: d.datasetId,
        title: d.title,
        description: d.description,
        ...(d.sector ? { sector: d.sector } : {}),
        ...(d.dataGrade ? { dataGrade: d.dataGrade } : {}),
        provider: { did, address },
        offers: await Promise.all(
          d.offers.map(async (o) => ({ id: o.offerId, summary: await summariseFor(ctx, o.body) })),
        ),
      })),
    );
    const { t } = ctx;
    return {
      title: t('Catalog'),
      body: html`<h1>${t('Catalog of {did}', { did })}</h1>
        <p class="meta">${address}</p>
        <p id="result-count" class="meta">
          ${t(datasets.length === 1 ? '{n} dataset you may see' : '{n} datasets you may see', { n: datasets.length })}
        </p>
        ${datasets.map((d) => datasetCard(app, ctx, d))}`,
    };
  });

  app.action('/negotiate', async (req, ctx) => {
    const address = field(req, 'address');
    const did = field(req, 'did');
    const datasetId = field(req, 'datasetId');
    const offerId = field(req, 'offerId');
    if (!address || !did || !datasetId || !offerId)
      throw new HttpProblem(400, 'invalid-body', ctx.t('The form lacks the provider, dataset or offer.'));
    const offer = await remoteOffer(
      plane.client,
      address,
      did,
      datasetId,
      offerId,
      plane.context.peerFormats,
    );
    const record = await plane.negotiationActions.start({
      counterPartyAddress: address,
      counterPartyId: did,
      datasetId,
      offer,
    });
    // The purpose and place are declared when the data is used (each transfer); the contract page offers
    // them again on its transfer form.
    const usage = new URLSearchParams();
    for (const p of listField(field(req, 'purpose'))) usage.append('purpose', p);
    for (const p of listField(field(req, 'place'))) usage.append('place', p);
    return {
      to: `${app.base}/contracts/${encodeSegment(record.id)}${usage.size > 0 ? `?${usage}` : ''}`,
      flash: ctx.t('Negotiation started with {did}.', { did }),
    };
  });
}

async function federatedSearch(
  app: ConsoleApp,
  params: { q: string; sector: string; purpose: string },
): Promise<SearchResult> {
  const { connector } = app.deps;
  const authority = await connector.authority.info();
  const token = await connector.sts.tokenFor(authority.did);
  const search = new URLSearchParams({ limit: '50' });
  if (params.q) search.set('q', params.q);
  if (params.sector) search.set('sector', params.sector);
  if (params.purpose) search.set('purpose', params.purpose);
  const response = await fetch(`${connector.authorityUrl.replace(/\/+$/, '')}/catalog/v1/search?${search}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json()) as SearchResult & { detail?: string };
  if (!response.ok) throw new Error(body.detail ?? `HTTP ${response.status}`);
  return body;
}

function datasetCard(app: ConsoleApp, ctx: ConsoleContext, d: ShownDataset): Html {
  const { t } = ctx;
  return html`<div class="card result" data-dataset="${d.datasetId}">
    <h2>${d.title}</h2>
    <div class="meta">
      ${d.provider.name ?? d.provider.did} ·
      <span class="tag">${d.sector ? termLabel(ctx, 'sector', d.sector) : '?'}</span
      ><span class="tag">${d.dataGrade ? termLabel(ctx, 'grade', d.dataGrade) : '?'}</span>
    </div>
    <p>${d.description.slice(0, 400)}</p>
    ${d.offers.length === 0 ? html`<p class="meta">${t('No offer you may see.')}</p>` : ''}
    ${d.offers.map((o) => offerBlock(app, ctx, d, o))}
  </div>`;
}

function offerBlock(app: ConsoleApp, ctx: ConsoleContext, d: ShownDataset, o: ShownOffer): Html {
  const { t } = ctx;
  if (!d.provider.address) return html`<div class="offer">${offerSummary(ctx, o.summary)}</div>`;
  return html`<div class="offer">
    <h3 class="meta">${t('Offer')} ${o.id}</h3>
    ${offerSummary(ctx, o.summary)}
    <form method="post" action="${app.base}/negotiate" class="inline negotiate">
      ${csrfField(ctx)}
      <input type="hidden" name="address" value="${d.provider.address}" />
      <input type="hidden" name="did" value="${d.provider.did}" />
      <input type="hidden" name="datasetId" value="${d.datasetId}" />
      <input type="hidden" name="offerId" value="${o.id}" />
      <label
        >${t('Purpose')}
        <input
          name="purpose"
          required
          size="18"
          placeholder="${suggestion(o.purposes, 'scientific-research')}"
      /></label>
      <label
        >${t('Place of use')}
        <input name="place" required size="8" placeholder="${suggestion(o.regions, 'CN')}"
      /></label>
      <button>${t('Negotiate')}</button>
    </form>
  </div>`;
}

/** The first value an offer permits, as a placeholder ("(any)" means it does not restrict). */
function suggestion(values: readonly string[] | undefined, fallback: string): string {
  const first = values?.find((v) => v !== '(any)');
  return first ?? fallback;
}
