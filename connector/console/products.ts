// Data products (数据产品登记): our applications and registrations at the authority, read after syncing its
// decisions, and the application form (the 数据产品说明书 made of our own datasets), as `shuyu product apply`
// and `list` do through the management API. Reviewers decide in the authority's console.
import type { Request } from 'express';
import type { ProductRegistration } from '../products/index.js';
import { describe, field, type ConsoleApp } from './app.js';
import {
  codeOptions,
  csrfField,
  stateLabel,
  stateName,
  html,
  timeTag,
  type ConsoleContext,
  type Html,
} from './kit/index.js';

const FREQUENCIES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular', 'static'];
const GRADES = ['general', 'important', 'core'];

export function productPages(app: ConsoleApp): void {
  const { products, plane } = app.deps;

  app.page('/products', async (_req, ctx) => {
    const { t } = ctx;
    // The authority's decisions first; when it cannot be reached, what we knew.
    let unreachable = '';
    const list = await products.sync().catch(async (error: unknown) => {
      unreachable = describe(ctx, error);
      return products.list();
    });
    const assets = await plane.assets.listAssets();
    return {
      title: t('Data products'),
      body: html`<h1>${t('Data products')}</h1>
        <p class="meta">${t('Register a product made of our datasets with the data space authority.')}</p>
        ${unreachable ? html`<p class="bad" id="authority-unreachable">${t('The authority could not be reached:')} ${unreachable}</p>` : ''}
        <h2>${t('Our applications and registrations')} (${list.length})</h2>
        ${
          list.length === 0
            ? html`<p>${t('None yet.')}</p>`
            : html`<div class="scroll">
                <table id="products">
                  <tr>
                    <th>${t('Application')}</th>
                    <th>${t('Name')}</th>
                    <th>${t('State')}</th>
                    <th>${t('Datasets')}</th>
                    <th>${t('Decision')}</th>
                  </tr>
                  ${list.map((p) => productRow(ctx, p))}
                </table>
              </div>`
        }
        <h2>${t('Apply for registration')}</h2>
        ${
          assets.length === 0
            ? html`<p>${t('Publish a dataset first: a product is made of our own datasets.')}</p>`
            : applicationForm(
                app,
                ctx,
                assets.map((a) => ({ id: a.id, title: a.title })),
              )
        }`,
    };
  });

  app.action('/products', async (req, ctx) => {
    const record = await products.apply(productDescription(req));
    return {
      to: `${app.base}/products`,
      flash: ctx.t('Applied: product application {id} is {state}.', {
        id: record.id,
        state: stateName(ctx, record.state),
      }),
    };
  });
}

/** The form as the authority's product description; the authority checks every field. */
function productDescription(req: Request): Record<string, unknown> {
  const both = (name: string) => ({ zh: field(req, `${name}Zh`), en: field(req, `${name}En`) });
  const chosen = (req.body as Record<string, unknown>).datasetIds;
  return {
    name: both('name'),
    dataSource: both('dataSource'),
    scope: both('scope'),
    updateFrequency: field(req, 'updateFrequency'),
    dataGrade: field(req, 'dataGrade'),
    complianceAssessment: {
      summary: both('compliance'),
      assessor: field(req, 'assessor'),
      date: field(req, 'assessedOn'),
    },
    datasetIds: (Array.isArray(chosen) ? chosen : [chosen]).filter(
      (v): v is string => typeof v === 'string' && v !== '',
    ),
  };
}

function productRow(ctx: ConsoleContext, p: ProductRegistration): Html {
  const { t } = ctx;
  const name = (p.description.name ?? {}) as { zh?: string; en?: string };
  return html`<tr data-product="${p.id}">
    <td>${p.id}${p.productId ? html`<br /><strong class="product-id">${p.productId}</strong>` : ''}</td>
    <td>${name.zh ?? ''}<br /><span class="meta">${name.en ?? ''}</span></td>
    <td class="state ${p.state === 'rejected' ? 'bad' : p.state === 'registered' ? 'ok' : ''}">
      ${stateLabel(ctx, p.state)}
    </td>
    <td>${p.description.datasetIds.map((id) => html`${id}<br />`)}</td>
    <td>
      ${p.decisionNote ? html`${p.state === 'rejected' ? t('Reason') : t('Note')}: ${p.decisionNote}` : ''}
      ${typeof p.decidedAt === 'string' ? html`<br />${timeTag(p.decidedAt)}` : ''}
      ${p.credentialUrl ? html`<br /><a href="${p.credentialUrl}">${t('Credential')}</a>` : ''}
    </td>
  </tr>`;
}

function applicationForm(
  app: ConsoleApp,
  ctx: ConsoleContext,
  assets: readonly { id: string; title: string }[],
): Html {
  const { t } = ctx;
  const bilingual = (name: string, label: string, rows = 0) =>
    html`<fieldset>
      <legend>${label}</legend>
      ${(['Zh', 'En'] as const).map(
        (lang) =>
          html`<label
            >${lang === 'Zh' ? t('Chinese') : t('English')}
            ${
              rows
                ? html`<textarea name="${name}${lang}" rows="${String(rows)}" required></textarea>`
                : html`<input name="${name}${lang}" required />`
            }</label
          >`,
      )}
    </fieldset>`;
  return html`<form method="post" action="${app.base}/products" class="stack" id="product-form">
    ${csrfField(ctx)} ${bilingual('name', t('Product name'))}
    ${bilingual('dataSource', t('Where the data comes from'), 2)}
    ${bilingual('scope', t('Scope: population, region, period'), 2)}
    <fieldset>
      <legend>${t('Datasets of the product')}</legend>
      ${assets.map(
        (a) =>
          html`<label class="choice"
            ><input type="checkbox" name="datasetIds" value="${a.id}" /> ${a.title}
            <span class="meta">${a.id}</span></label
          >`,
      )}
    </fieldset>
    <label
      >${t('Update frequency')}
      <select name="updateFrequency">
        ${FREQUENCIES.map((f) => html`<option>${f}</option>`)}
      </select></label
    >
    <label
      >${t('Data grade')} <span class="meta">GB/T 43697-2024</span>
      <select name="dataGrade">
        ${codeOptions(ctx, 'grade', GRADES)}
      </select></label
    >
    ${bilingual('compliance', t('Compliance assessment: summary'), 2)}
    <label>${t('Assessor')} <input name="assessor" required /></label>
    <label>${t('Assessed on')} <input name="assessedOn" type="date" required /></label>
    <div><button>${t('Apply')}</button></div>
  </form>`;
}
