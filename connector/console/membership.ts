// Membership: our DID, our applications at the data space authority and their decisions, applying (as
// `shuyu member apply`, signed with the connector's DID key), and the wallet: the credentials we hold with
// their validity, collected from the authority on request (as `shuyu wallet list|collect`).
import { describe, field, listField, type ConsoleApp } from './app.js';
import { HttpProblem } from '../http/problem.js';
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

const SECTORS = ['medical', 'finance', 'energy', 'education', 'transport', 'government', 'other'];

export function membershipPages(app: ConsoleApp): void {
  const { connector } = app.deps;

  app.page('/membership', async (_req, ctx) => {
    const { t } = ctx;
    let unreachable = '';
    const applications = await connector.authority.myApplications().catch((error: unknown) => {
      unreachable = describe(ctx, error);
      return [];
    });
    const credentials = await connector.wallet.list();
    const now = Date.now();
    return {
      title: t('Membership'),
      body: html`<h1>${t('Membership')}</h1>
        <p>${t('Our DID')}: <code id="our-did">${connector.did}</code></p>
        <h2>${t('Wallet')} (${credentials.length})</h2>
        ${
          credentials.length === 0
            ? html`<p>
                ${t('The wallet is empty: after the authority approved our application, collect the credentials.')}
              </p>`
            : ''
        }
        <div class="scroll">
          <table id="wallet">
            <tr>
              <th>${t('Type')}</th>
              <th>${t('Issuer')}</th>
              <th>${t('Valid until')}</th>
            </tr>
            ${credentials.map((c) => {
              const expired = c.validUntil !== undefined && Date.parse(c.validUntil) <= now;
              return html`<tr data-credential="${c.id}">
                <td>${c.type}<br /><span class="meta">${c.id}</span></td>
                <td>${c.issuer}</td>
                <td class="${expired ? 'bad' : ''}">
                  ${c.validUntil ? timeTag(c.validUntil) : t('no end')}${expired ? html` · ${t('expired')}` : ''}
                </td>
              </tr>`;
            })}
          </table>
        </div>
        <form method="post" action="${app.base}/membership/collect" class="inline" id="collect">
          ${csrfField(ctx)}<button>${t('Collect credentials from the authority')}</button>
        </form>
        <h2>${t('Our applications')} (${applications.length})</h2>
        ${unreachable ? html`<p class="bad">${t('The authority could not be reached:')} ${unreachable}</p>` : ''}
        <div class="scroll">
          <table id="applications">
            <tr>
              <th>${t('Application')}</th>
              <th>${t('Organisation')}</th>
              <th>${t('State')}</th>
            </tr>
            ${applications.map(
              (a) =>
                html`<tr data-application="${String(a.id)}">
                  <td>${String(a.id)}</td>
                  <td>${String(a.organisationName ?? '')}</td>
                  <td class="state">${stateLabel(ctx, String(a.state ?? ''))}</td>
                </tr>`,
            )}
          </table>
        </div>
        <details ${applications.length === 0 ? 'open' : ''}>
          <summary>${t('Apply for membership')}</summary>
          ${applicationForm(app, ctx)}
        </details>`,
    };
  });

  app.action('/membership/collect', async (_req, ctx) => {
    const count = await connector.collectCredentials();
    return {
      to: `${app.base}/membership`,
      flash: ctx.t('Collected {n} credentials from the authority.', { n: count }),
    };
  });

  app.action('/membership/apply', async (req, ctx) => {
    const roles = listField(field(req, 'roles'));
    const sector = field(req, 'sector');
    if (roles.length === 0)
      throw new HttpProblem(400, 'invalid-body', ctx.t('Name at least one role in the sector.'));
    const grade = field(req, 'grade');
    const application = await connector.authority.apply({
      organisationName: field(req, 'organisation'),
      registrationNumber: field(req, 'registration'),
      sectors: [{ sector, roles }],
      contact: field(req, 'contact'),
      ...(grade ? { dataGradeClearance: grade } : {}),
      connectorUrl: `${connector.url}/dsp`,
    });
    return {
      to: `${app.base}/membership`,
      flash: ctx.t('Applied: application {id} is {state}.', {
        id: String(application.id),
        state: stateName(ctx, String(application.state)),
      }),
    };
  });
}

function applicationForm(app: ConsoleApp, ctx: ConsoleContext): Html {
  const { t } = ctx;
  return html`<form method="post" action="${app.base}/membership/apply" class="stack" id="membership-form">
    ${csrfField(ctx)}
    <label>${t('Organisation')} <input name="organisation" required /></label>
    <label
      >${t('Unified social credit code')}
      <input name="registration" required pattern="[0-9A-Z]{18}" placeholder="91110000802100433B"
    /></label>
    <label
      >${t('Sector')}
      <select name="sector">
        ${codeOptions(ctx, 'sector', SECTORS)}
      </select></label
    >
    <label
      >${t('Roles in the sector')} <span class="meta">${t('separate with commas')}</span
      ><input name="roles" required placeholder="hospital"
    /></label>
    <label>${t('Contact (e-mail or phone)')} <input name="contact" required /></label>
    <label
      >${t('Data grade clearance asked for (optional)')} <input name="grade" placeholder="general"
    /></label>
    <div><button>${t('Apply')}</button></div>
  </form>`;
}
