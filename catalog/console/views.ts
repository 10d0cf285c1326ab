// The console's pages, as functions from data to Html. No data fetching here (router.ts does that).
import type { ProductRecord } from '../authority/products/types.js';
import type { Application, AuditEntry, Member } from '../authority/types.js';
import type { DatasetView, FacetName, ProviderCrawlStatus, SearchResult } from '../federation/types.js';
import {
  csrfField,
  html,
  localised,
  offerSummary,
  stateLabel,
  termLabel,
  codeOptions,
  timeTag,
  type ConsoleContext,
  type Html,
  type Phrase,
} from '../../connector/console/kit/index.js';
import { encodeSegment } from '../../connector/http/text.js';

const FACET_TITLES: Readonly<Record<FacetName, Phrase>> = {
  sector: 'Sector',
  grade: 'Data grade',
  publisher: 'Publisher',
  format: 'Format',
  licence: 'Licence',
  purpose: 'Purpose',
  region: 'Region',
  credential: 'Credential required',
  price: 'Price',
  registered: 'Registration',
};

/** Facets whose parameter takes one value (the others take several). */
const SINGLE: ReadonlySet<string> = new Set(['purpose', 'region', 'price', 'registered']);

export type Params = Readonly<Record<string, string | readonly string[]>>;

function values(params: Params, name: string): readonly string[] {
  const v = params[name];
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

function link(params: Params, change: Record<string, string | readonly string[] | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, ...change })) {
    if (value === undefined) continue;
    for (const v of typeof value === 'string' ? [value] : value) if (v !== '') query.append(key, v);
  }
  const text = query.toString();
  return text ? `/console?${text}` : '/console';
}

export function datasetLink(d: DatasetView): string {
  // Crawled ids are peers' text: encodeSegment never throws on a lone surrogate.
  return `/console/dataset?provider=${encodeSegment(d.provider.did)}&id=${encodeSegment(d.datasetId)}`;
}

export function searchPage(ctx: ConsoleContext, params: Params, result: SearchResult | undefined): Html {
  const { t } = ctx;
  const q = values(params, 'q')[0] ?? '';
  const facets = result
    ? (Object.keys(FACET_TITLES) as FacetName[]).map((name) => {
        const chosen = values(params, name);
        const items = result.facets[name] ?? [];
        if (items.length === 0) return '';
        return html`<h3>${t(FACET_TITLES[name])}</h3>
          ${items.map((f) => {
            const on = chosen.includes(f.value);
            const next = on
              ? chosen.filter((v) => v !== f.value)
              : SINGLE.has(name)
                ? [f.value]
                : [...chosen, f.value];
            return html`<a
              class="${on ? 'on' : ''}"
              data-facet="${name}"
              href="${link(params, { [name]: next, offset: undefined })}"
              >${on ? '✓ ' : ''}${f.value} (${f.count})</a
            >`;
          })}`;
      })
    : '';
  const results = result
    ? html`<p class="meta" id="result-count">
          ${t(result.total === 1 ? '{n} dataset' : '{n} datasets', { n: result.total })}
        </p>
        ${
          result.total === 0 && !ctx.user
            ? html`<div class="card" id="why-empty">
                <p>
                  ${t('Anonymous visitors see only datasets that are open to anyone. Most providers open their offers to members of the data space only.')}
                </p>
                <p>
                  ${t('Members: search from your connector’s console (Discover) or with shuyu catalog search, which show what your credentials let you see. Admins: sign in.')}
                </p>
              </div>`
            : ''
        }
        ${result.results.map(
          (d) =>
            html`<div class="card result">
              <h2><a href="${datasetLink(d)}">${d.title}</a></h2>
              <div class="meta">
                ${d.provider.organisationName ?? d.provider.did} ·
                <span class="tag">${d.sector ? termLabel(ctx, 'sector', d.sector) : '?'}</span
                ><span class="tag">${d.dataGrade ? termLabel(ctx, 'grade', d.dataGrade) : '?'}</span
                >${d.keywords.slice(0, 5).map((k) => html`<span class="tag">${k}</span>`)}${
                  d.registration
                    ? html`<span
                        class="tag registered"
                        title="${d.registration.name.zh} / ${d.registration.name.en}"
                        >登记 ${d.registration.productId}</span
                      >`
                    : ''
                }
              </div>
              <p>${d.description.slice(0, 260)}${d.description.length > 260 ? '…' : ''}</p>
              ${d.offers[0] ? html`<p class="meta">${localised(ctx, d.offers[0].summary).sentences[0] ?? ''}</p>` : ''}
            </div>`,
        )}
        ${result.offset + result.limit < result.total ? html`<a href="${link(params, { offset: String(result.offset + result.limit) })}">${t('Next page')}</a>` : ''}`
    : '';
  return html`<div class="layout">
    <aside>
      <form method="get" action="/console">
        <input
          name="q"
          value="${q}"
          placeholder="${t('Search datasets')}"
          aria-label="${t('Search datasets')}"
          style="width:100%"
        /><button>${t('Search')}</button>
      </form>
      ${facets}
    </aside>
    <section>${results}</section>
  </div>`;
}

export function datasetPage(
  ctx: ConsoleContext,
  d: DatasetView,
  admin: boolean,
  product?: ProductRecord,
): Html {
  const { t } = ctx;
  const rows: [Phrase, string | Html | undefined][] = [
    ['Provider', `${d.provider.organisationName ?? ''} (${d.provider.did})`],
    ['Dataset id', d.datasetId],
    ['Sector', d.sector && termLabel(ctx, 'sector', d.sector)],
    ['Data grade', d.dataGrade && termLabel(ctx, 'grade', d.dataGrade)],
    ['Publisher', d.publisher],
    ['Format', d.mediaType],
    ['Licence', d.licence],
    ['Issued', d.issued],
    ['Modified', d.modified],
    ['Keywords', d.keywords.join(', ')],
    [
      'Last crawled',
      html`${d.provider.lastCrawledAt ? timeTag(d.provider.lastCrawledAt) : t('never')}${d.provider.stale ? ` (${t('the last crawl failed: this may be out of date')})` : ''}`,
    ],
  ];
  return html`<h1>${d.title}</h1>
    <p>${d.description}</p>
    <div class="scroll">
      <table>
        ${rows
          .filter(([, v]) => v)
          .map(
            ([k, v]) =>
              html`<tr>
                <th>${t(k)}</th>
                <td>${v}</td>
              </tr>`,
          )}
      </table>
    </div>
    ${product ? productDescription(product) : ''}
    <h2>${t('Offers')}</h2>
    ${d.offers.length === 0 ? html`<p>${t('No offer you may see.')}</p>` : ''}
    ${d.offers.map(
      (o) =>
        html`<div class="card offer">
          <h3 style="margin-top:0">${o.id}</h3>
          ${offerSummary(ctx, localised(ctx, o.summary))}
          ${admin && !o.accessPolicyPublished ? html`<p class="meta">${t('The provider published no access policy for this offer: only admins see it.')}</p>` : ''}
        </div>`,
    )}`;
}

const FREQUENCIES: Readonly<Record<string, string>> = {
  realtime: '实时 real time',
  daily: '每日 daily',
  weekly: '每周 weekly',
  monthly: '每月 monthly',
  quarterly: '每季度 quarterly',
  yearly: '每年 yearly',
  irregular: '不定期 irregular',
  static: '不更新 static',
};

const GRADE_NAMES: Readonly<Record<string, string>> = {
  general: '一般数据 general',
  important: '重要数据 important',
  core: '核心数据 core',
};

/** The 数据产品说明书 of a product, both languages side by side. */
export function productDescription(p: ProductRecord): Html {
  const d = p.description;
  const both = (t: { zh: string; en: string }) => html`${t.zh}<br /><span class="meta">${t.en}</span>`;
  const rows: [string, Html | string][] = [
    ['产品标识 Product identifier', p.productId ?? `(not registered: ${p.state})`],
    ['产品名称 Name', both(d.name)],
    [
      '提供方 Provider',
      `${p.provider.organisationName} · ${p.provider.registrationNumber} · ${p.provider.did}`,
    ],
    ['数据来源 Data source', both(d.dataSource)],
    ['适用范围 Scope', both(d.scope)],
    ['更新频率 Update frequency', FREQUENCIES[d.updateFrequency] ?? d.updateFrequency],
    ['数据分级 Grade (GB/T 43697)', GRADE_NAMES[d.dataGrade] ?? d.dataGrade],
    [
      '合规评估 Compliance assessment',
      html`${both(d.complianceAssessment.summary)}<br /><span class="meta"
          >${d.complianceAssessment.assessor}, ${d.complianceAssessment.date}</span
        >`,
    ],
    ['数据集 Datasets', d.datasetIds.join(', ')],
    ['DSP endpoint', d.dspEndpoint],
    ['登记凭证 Registration credential', p.credentialId ?? ''],
    ['登记时间 Registered', p.decidedAt ? `${p.decidedAt} by ${p.decidedBy ?? '?'}` : ''],
  ];
  return html`<div class="card product" id="product">
    <h2>数据产品说明书 · Data product description</h2>
    <div class="scroll">
      <table>
        ${rows
          .filter(([, v]) => v !== '')
          .map(
            ([k, v]) =>
              html`<tr>
                <th>${k}</th>
                <td>${v}</td>
              </tr>`,
          )}
      </table>
    </div>
  </div>`;
}

export function productsPage(products: readonly ProductRecord[]): Html {
  return html`<h1>登记数据产品 · Registered data products (${products.length})</h1>
    ${products.length === 0 ? html`<p>None yet.</p>` : ''}
    <div class="scroll">
      <table id="products">
        <tr>
          <th>Identifier</th>
          <th>Name</th>
          <th>Provider</th>
          <th>Grade</th>
          <th>Datasets</th>
          <th>Registered</th>
        </tr>
        ${products.map(
          (p) =>
            html`<tr data-product="${p.productId ?? p.id}">
              <td>${p.productId ?? ''}</td>
              <td>${p.description.name.zh}<br /><span class="meta">${p.description.name.en}</span></td>
              <td>${p.provider.organisationName}<br /><span class="meta">${p.provider.did}</span></td>
              <td>${p.description.dataGrade}</td>
              <td>
                ${p.description.datasetIds.map(
                  (id) =>
                    html`<a
                        href="/console/dataset?provider=${encodeURIComponent(p.provider.did)}&id=${encodeURIComponent(id)}"
                        >${id}</a
                      ><br />`,
                )}
              </td>
              <td>${timeTag(p.decidedAt)}</td>
            </tr>`,
        )}
      </table>
    </div>`;
}

export function loginPage(ctx: ConsoleContext): Html {
  const { t } = ctx;
  return html`<h1>${t('Admin sign-in')}</h1>
    <form method="post" action="/console/login" class="stack">
      ${csrfField(ctx)}
      <label>${t('Admin API key')} <input type="password" name="key" autocomplete="off" required /></label>
      <div><button>${t('Sign in')}</button></div>
    </form>
    <p class="meta">
      ${t('The key is the one shuyu authority init printed (also in the authority’s admin-api-key file).')}
    </p>`;
}

const GRADES = ['general', 'important', 'core', 'JR-L1', 'JR-L2', 'JR-L3', 'JR-L4', 'JR-L5'];

export function adminPage(
  ctx: ConsoleContext,
  data: {
    pending: readonly Application[];
    pendingProducts?: readonly ProductRecord[];
    members: readonly Member[];
    crawl: readonly ProviderCrawlStatus[];
    audit: readonly AuditEntry[];
  },
): Html {
  const { t } = ctx;
  const csrf = csrfField(ctx);
  return html`<h1>${t('Administration')}</h1>
    <h2>${t('Applications awaiting a decision ({n})', { n: data.pending.length })}</h2>
    ${data.pending.length === 0 ? html`<p>${t('None.')}</p>` : ''}
    <div class="scroll">
      <table id="applications">
        ${data.pending.map(
          (a) =>
            html`<tr data-application="${a.id}">
              <td>
                <strong>${a.organisationName}</strong><br /><span class="meta"
                  >${a.registrationNumber} · ${a.applicantDid}<br />${a.sectors.map((s) => `${s.sector}: ${s.roles.join(', ')}`).join('; ')}
                  · ${t('contact')} ${a.contact} · ${t('submitted')} ${timeTag(a.submittedAt)}</span
                >
              </td>
              <td>
                <form method="post" action="/console/admin/applications/approve" class="inline">
                  ${csrf}<input type="hidden" name="id" value="${a.id}" /><select
                    name="grade"
                    aria-label="${t('Clearance')}"
                  >
                    ${codeOptions(ctx, 'grade', GRADES, a.dataGradeClearance)}</select
                  ><button>${t('Approve')}</button>
                </form>
                <form method="post" action="/console/admin/applications/reject" class="inline">
                  ${csrf}<input type="hidden" name="id" value="${a.id}" /><input
                    name="reason"
                    placeholder="${t('reason')}"
                    required
                    aria-label="${t('Reason')}"
                  /><button class="danger">${t('Reject')}</button>
                </form>
              </td>
            </tr>`,
        )}
      </table>
    </div>
    <h2>${t('Data products awaiting review ({n})', { n: data.pendingProducts?.length ?? 0 })}</h2>
    ${(data.pendingProducts ?? []).length === 0 ? html`<p>${t('None.')}</p>` : ''}
    ${(data.pendingProducts ?? []).map(
      (p) =>
        html`<div class="card pending-product" data-product-application="${p.id}">
          <p class="meta">${t('Application')} ${p.id}, ${t('submitted')} ${timeTag(p.submittedAt)}</p>
          ${productDescription(p)}
          <form method="post" action="/console/admin/products/approve" class="inline">
            ${csrf}<input type="hidden" name="id" value="${p.id}" /><input
              name="note"
              placeholder="${t('note (optional)')}"
              aria-label="${t('Registration note')}"
            /><button>${t('Register')}</button>
          </form>
          <form method="post" action="/console/admin/products/reject" class="inline">
            ${csrf}<input type="hidden" name="id" value="${p.id}" /><input
              name="reason"
              placeholder="${t('reason')}"
              required
              aria-label="${t('Reason')}"
            /><button class="danger">${t('Reject')}</button>
          </form>
        </div>`,
    )}
    <h2>${t('Members ({n})', { n: data.members.length })}</h2>
    <div class="scroll">
      <table id="members">
        <tr>
          <th>${t('Organisation')}</th>
          <th>${t('State')}</th>
          <th>${t('Sectors')}</th>
          <th>${t('Clearance')}</th>
          <th>${t('Actions')}</th>
        </tr>
        ${data.members.map(
          (m) =>
            html`<tr data-member="${m.did}">
              <td>${m.organisationName}<br /><span class="meta">${m.did}</span></td>
              <td class="state">
                ${stateLabel(ctx, m.state)}${m.reason ? html`<br /><span class="meta">${m.reason}</span>` : ''}
              </td>
              <td>${m.sectors.map((s) => termLabel(ctx, 'sector', s.sector)).join(', ')}</td>
              <td>${m.dataGradeClearance ?? ''}</td>
              <td>
                ${m.state === 'active' ? html`<form method="post" action="/console/admin/members/suspend" class="inline">${csrf}<input type="hidden" name="did" value="${m.did}" /><input name="reason" placeholder="${t('reason')}" required aria-label="${t('Suspension reason')}" /><button>${t('Suspend')}</button></form>` : ''}
                ${m.state === 'suspended' ? html`<form method="post" action="/console/admin/members/reinstate" class="inline">${csrf}<input type="hidden" name="did" value="${m.did}" /><button>${t('Reinstate')}</button></form>` : ''}
                ${m.state !== 'revoked' ? html`<form method="post" action="/console/admin/members/revoke" class="inline revoke">${csrf}<input type="hidden" name="did" value="${m.did}" /><input name="reason" placeholder="${t('reason')}" required aria-label="${t('Revocation reason')}" /><button class="danger">${t('Revoke…')}</button></form>` : ''}
              </td>
            </tr>`,
        )}
      </table>
    </div>
    <h2>${t('Crawl status')}</h2>
    <form method="post" action="/console/admin/crawl" class="inline">
      ${csrf}<button>${t('Crawl now')}</button>
    </form>
    <div class="scroll">
      <table id="crawl">
        <tr>
          <th>${t('Member')}</th>
          <th>${t('State')}</th>
          <th>${t('Datasets')}</th>
          <th>${t('Last success')}</th>
          <th>${t('Last error')}</th>
        </tr>
        ${data.crawl.map(
          (c) =>
            html`<tr>
              <td>${c.organisationName ?? c.did}</td>
              <td>${stateLabel(ctx, c.state)}</td>
              <td>${c.datasetCount}</td>
              <td>${timeTag(c.lastSuccessAt)}</td>
              <td>${c.lastError ? `${c.lastError.code}: ${c.lastError.message}` : ''}</td>
            </tr>`,
        )}
      </table>
    </div>
    <h2>${t('Recent admin actions')}</h2>
    <div class="scroll">
      <table id="audit">
        ${data.audit.map(
          (e) =>
            html`<tr>
              <td>${timeTag(e.at)}</td>
              <td>${e.actor}</td>
              <td>${e.action}</td>
              <td>${e.subject}</td>
            </tr>`,
        )}
      </table>
    </div>`;
}

/** Revocation cannot be undone: a page of its own asks first (works without script). */
export function revokeConfirmPage(ctx: ConsoleContext, member: Member, reason: string): Html {
  const { t } = ctx;
  return html`<h1>${t('Revoke {name}?', { name: member.organisationName })}</h1>
    <p>
      ${t('Revocation is permanent: the member’s credentials are revoked and it leaves the data space. Suspension can be undone instead.')}
    </p>
    <p class="meta">${member.did}</p>
    <form method="post" action="/console/admin/members/revoke" class="stack" id="confirm-revoke">
      ${csrfField(ctx)}<input type="hidden" name="did" value="${member.did}" /><input
        type="hidden"
        name="confirm"
        value="yes"
      />
      <label>${t('Reason')} <input name="reason" required value="${reason}" /></label>
      <div>
        <button class="danger">${t('Revoke permanently')}</button> <a href="/console/admin">${t('Cancel')}</a>
      </div>
    </form>`;
}
