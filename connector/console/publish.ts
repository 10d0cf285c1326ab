// Publish: our assets (a file uploaded into the connector's files folder, an http backend, or text
// typed in) and offers made from the sector templates, with a policy editor: the common constraints
// as form fields over the raw JSON, a live check while typing (the page script posts to
// /publish/policy-check), and evaluation of a sample request with the engine's explanation.
import express, { type Request, type RequestHandler } from 'express';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPolicy, explain, reasonOf, type EvaluationRequest } from '../../policies/index.js';
import { HttpProblem } from '../http/problem.js';
import { dataFile } from '../process/config.js';
import { DEFAULT_FILE_DIRECTORY } from '../process/data-services.js';
import { describe, field, listField, query, type ConsoleApp } from './app.js';
import {
  codeOptions,
  csrfField,
  explanationText,
  html,
  reasonText,
  stateLabel,
  type ConsoleContext,
  type Html,
} from './kit/index.js';
import { parseMultipart } from './multipart.js';

const GRADES = ['general', 'important', 'core', 'JR-L1', 'JR-L2', 'JR-L3', 'JR-L4', 'JR-L5'];
const SECTORS = ['medical', 'finance', 'energy', 'education', 'transport', 'government', 'other'];

/** Who may see an offer in the catalog: the access policies a console user picks from. */
const ACCESS: Readonly<Record<string, (sector: string) => Record<string, unknown>>> = {
  members: () => ({
    uid: 'urn:shuyu:access:members',
    permission: [
      {
        action: 'read',
        constraint: [
          { leftOperand: 'shuyu:credentialType', operator: 'hasPart', rightOperand: 'MembershipCredential' },
        ],
      },
    ],
  }),
  sector: (sector) => ({
    uid: `urn:shuyu:access:sector:${sector}`,
    permission: [
      {
        action: 'read',
        constraint: [{ leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: sector }],
      },
    ],
  }),
};

export function publishPages(app: ConsoleApp): void {
  const { plane, connector } = app.deps;
  const templates = templateDirectory();

  app.page('/publish', async (req, ctx) => {
    const [assets, offers] = await Promise.all([plane.assets.listAssets(), plane.assets.listOffers()]);
    const chosen = query(req, 'template');
    const names = templates
      ? readdirSync(templates)
          .filter((f) => f.endsWith('.json'))
          .map((f) => f.slice(0, -5))
      : [];
    const template =
      names.includes(chosen) && templates ? readFileSync(join(templates, `${chosen}.json`), 'utf8') : '';
    const sample =
      names.includes(chosen) && templates && existsSync(join(templates, 'requests', `${chosen}-permit.json`))
        ? readFileSync(join(templates, 'requests', `${chosen}-permit.json`), 'utf8')
        : '';
    const { t } = ctx;
    return {
      title: t('Publish'),
      body: html`<h1>${t('Publish')}</h1>
        <h2>${t('Assets')} (${assets.length})</h2>
        <div class="scroll">
          <table id="assets">
            <tr>
              <th>${t('Id')}</th>
              <th>${t('Title')}</th>
              <th>${t('Grade')}</th>
              <th>${t('Source')}</th>
              <th></th>
            </tr>
            ${assets.map(
              (a) =>
                html`<tr data-asset="${a.id}">
                  <td>${a.id}</td>
                  <td>${a.title}</td>
                  <td>${a.dataGrade}</td>
                  <td>${String(a.dataAddress.kind)}</td>
                  <td>${removeForm(app, ctx, 'assets', a.id)}</td>
                </tr>`,
            )}
          </table>
        </div>
        <details ${assets.length === 0 ? 'open' : ''}>
          <summary>${t('Add an asset')}</summary>
          ${assetForm(app, ctx, connector.did)}
        </details>
        <h2>${t('Offers')} (${offers.length})</h2>
        <div class="scroll">
          <table id="offers">
            <tr>
              <th>${t('Id')}</th>
              <th>${t('Assets')}</th>
              <th>${t('Approval')}</th>
              <th></th>
            </tr>
            ${offers.map(
              (o) =>
                html`<tr data-offer="${o.id}">
                  <td>${o.id}</td>
                  <td>${JSON.stringify(o.assetSelector)}</td>
                  <td>${o.approval}</td>
                  <td>${removeForm(app, ctx, 'offers', o.id)}</td>
                </tr>`,
            )}
          </table>
        </div>
        <h2>${t('New offer from a template')}</h2>
        <form method="get" action="${app.base}/publish" class="inline">
          <label
            >${t('Sector template')}
            <select name="template">
              ${names.map((n) => html`<option ${n === chosen ? 'selected' : ''}>${n}</option>`)}
            </select></label
          ><button class="secondary">${t('Load')}</button>
        </form>
        ${offerForm(
          app,
          ctx,
          assets.map((a) => a.id),
          template,
          sample,
        )}`,
    };
  });

  const upload: RequestHandler[] = [
    express.raw({ type: 'multipart/form-data', limit: '25mb' }),
    (req, _res, next) => {
      try {
        const form = parseMultipart(req.body as Buffer, req.headers['content-type']);
        req.body = { ...form.fields };
        (req as Request & { upload?: typeof form.file }).upload = form.file;
        next();
      } catch (error) {
        next(new HttpProblem(400, 'invalid-body', (error as Error).message));
      }
    },
  ];

  app.action(
    '/publish/assets',
    async (req, ctx) => {
      const file = (req as Request & { upload?: { name: string; data: Buffer } }).upload;
      const kind = field(req, 'source');
      let dataAddress: Record<string, unknown>;
      if (kind === 'http') {
        dataAddress = { kind: 'http', url: field(req, 'url') };
      } else if (kind === 'text') {
        dataAddress = { kind: 'inline', data: (req.body as Record<string, string>).text ?? '' };
      } else {
        if (!file) throw new HttpProblem(400, 'invalid-body', ctx.t('Choose a file to upload.'));
        const directory = dataFile(connector.dataDir, DEFAULT_FILE_DIRECTORY);
        mkdirSync(directory, { recursive: true, mode: 0o700 });
        const name = file.name.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^\.+/, '') || 'upload';
        const path = join(directory, name);
        await writeFile(path, file.data, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST')
            throw new HttpProblem(
              409,
              'file-exists',
              ctx.t('A file named {name} is already in the files folder.', { name }),
            );
          throw error;
        });
        dataAddress = { kind: 'file', path };
      }
      const asset = await plane.assets.createAsset({
        id: field(req, 'id'),
        title: field(req, 'title'),
        description: field(req, 'description'),
        keywords: listField(field(req, 'keywords')),
        sector: field(req, 'sector'),
        dataGrade: field(req, 'dataGrade'),
        format: field(req, 'format') || 'application/octet-stream',
        licence: field(req, 'licence'),
        publisher: connector.did,
        dataAddress,
      });
      return { to: `${app.base}/publish`, flash: ctx.t('Asset {id} added.', { id: asset.id }) };
    },
    upload,
  );

  app.action('/publish/assets/remove', async (req, ctx) => {
    const id = field(req, 'id');
    await plane.assets.deleteAsset(id);
    return { to: `${app.base}/publish`, flash: ctx.t('Asset {id} removed.', { id }) };
  });

  app.action('/publish/offers/remove', async (req, ctx) => {
    const id = field(req, 'id');
    await plane.assets.deleteOffer(id);
    return { to: `${app.base}/publish`, flash: ctx.t('Offer {id} removed.', { id }) };
  });

  app.action('/publish/offers', async (req, ctx) => {
    const policy = withCommonConstraints(parseJson(ctx, field(req, 'policy')), commonConstraints(req));
    const access = ACCESS[field(req, 'access')] ?? ACCESS.members;
    const sector = field(req, 'accessSector') || 'medical';
    const offer = {
      id: field(req, 'id'),
      assetSelector: { assetIds: listField(field(req, 'assets')) },
      accessPolicy: access!(sector),
      contractPolicy: withoutTarget(policy),
      approval: field(req, 'approval') === 'manual' ? 'manual' : 'automatic',
    };
    await plane.assets.createOffer(offer);
    return { to: `${app.base}/publish`, flash: ctx.t('Offer {id} published.', { id: offer.id }) };
  });

  // The live check (JSON in and out, for the page script; the same guard as every form).
  app.router.post(
    `${app.base}/publish/policy-check`,
    express.json({ limit: '256kb' }),
    app.kit.guard,
    async (req, res) => {
      const ctx = app.kit.context(req, res);
      if (!ctx.user) return void res.status(401).json({ ok: false, problems: [] });
      const result = await checkPolicy((req.body as { policy?: unknown }).policy);
      res.json({
        ok: result.ok,
        problems: result.report.map((p) => ({ severity: p.severity, pointer: p.path, message: p.message })),
      });
    },
  );

  // Check and evaluate without JavaScript: the result shows on a page of its own.
  app.router.post(`${app.base}/publish/policy-evaluate`, app.form, app.kit.guard, async (req, res) => {
    const ctx = app.kit.context(req, res);
    if (!ctx.user) return void res.redirect(303, `${app.base}/login`);
    const { t } = ctx;
    let body: Html;
    try {
      const policy = withCommonConstraints(parseJson(ctx, field(req, 'policy')), commonConstraints(req));
      const checked = await checkPolicy(policy);
      const problems = checked.report.map((p) =>
        reasonText(ctx, `${p.severity} ${p.path || '/'}: ${p.message}`),
      );
      let verdict: Html = html``;
      const requestText = field(req, 'request');
      if (checked.ok && requestText) {
        const decision = checked.policy.evaluate(parseJson(ctx, requestText) as unknown as EvaluationRequest);
        verdict = html`<h2>
            ${t('Decision:')}
            <span class="${decision.permitted ? 'ok' : 'bad'}" id="decision"
              >${stateLabel(ctx, decision.decision)}</span
            >
          </h2>
          <p id="reason">${reasonText(ctx, reasonOf(decision))}</p>
          <pre id="explanation">${explanationText(ctx, explain(decision))}</pre>`;
      }
      body = html`<h1>${t('Policy check')}</h1>
        <p id="check-result" class="${checked.ok ? 'ok' : 'bad'}">
          ${checked.ok ? t('The policy compiles.') : t('The policy has errors.')}
        </p>
        <details>
          <summary>${t('The policy checked')}</summary>
          <pre id="checked-policy">${JSON.stringify(policy, null, 2)}</pre>
        </details>
        ${
          problems.length
            ? html`<ul>
                ${problems.map((p) => html`<li>${p}</li>`)}
              </ul>`
            : ''
        }
        ${verdict}
        <p><a href="${app.base}/publish">${t('Back')}</a></p>`;
    } catch (error) {
      body = html`<p class="bad">${describe(ctx, error)}</p>
        <p><a href="${app.base}/publish">${t('Back')}</a></p>`;
    }
    app.kit.send(res, 200, ctx, t('Policy check'), body);
  });
}

export interface CommonConstraints {
  readonly purpose: readonly string[];
  readonly place: readonly string[];
  /** YYYY-MM-DD, Beijing time. */
  readonly until: string;
  readonly maxUses: string;
}

export function commonConstraints(req: Request): CommonConstraints {
  return {
    purpose: listField(field(req, 'purpose')),
    place: listField(field(req, 'place')),
    until: field(req, 'until'),
    maxUses: field(req, 'maxUses'),
  };
}

/**
 * The form's common constraints written into the policy's first permission: each one given replaces
 * the permission's constraint on the same operand (purpose, spatial, the dateTime end, count).
 */
export function withCommonConstraints(
  policy: Record<string, unknown>,
  given: CommonConstraints,
): Record<string, unknown> {
  const replaced: { operand: string; operators?: readonly string[]; constraint: Record<string, unknown> }[] =
    [];
  const one = (values: readonly string[]) => (values.length === 1 ? values[0] : values);
  if (given.purpose.length)
    replaced.push({
      operand: 'purpose',
      constraint: {
        leftOperand: 'purpose',
        operator: given.purpose.length === 1 ? 'isA' : 'isAnyOf',
        rightOperand: one(given.purpose),
      },
    });
  if (given.place.length)
    replaced.push({
      operand: 'spatial',
      constraint: {
        leftOperand: 'spatial',
        operator: given.place.length === 1 ? 'isPartOf' : 'isAnyOf',
        rightOperand: one(given.place),
      },
    });
  if (/^\d{4}-\d{2}-\d{2}$/.test(given.until))
    replaced.push({
      operand: 'dateTime',
      operators: ['lt', 'lteq'],
      constraint: {
        leftOperand: 'dateTime',
        operator: 'lt',
        rightOperand: { '@value': `${given.until}+08:00`, '@type': 'xsd:date' },
      },
    });
  if (/^\d{1,9}$/.test(given.maxUses))
    replaced.push({
      operand: 'count',
      constraint: {
        leftOperand: 'count',
        operator: 'lteq',
        rightOperand: { '@value': given.maxUses, '@type': 'xsd:integer' },
      },
    });
  if (replaced.length === 0) return policy;
  const permissions = Array.isArray(policy.permission)
    ? [...(policy.permission as unknown[])]
    : [{ action: 'use' }];
  const first = (permissions[0] ?? { action: 'use' }) as Record<string, unknown>;
  const existing = Array.isArray(first.constraint) ? (first.constraint as Record<string, unknown>[]) : [];
  const kept = existing.filter(
    (c) =>
      !replaced.some(
        (r) =>
          odrlTerm(c.leftOperand) === r.operand &&
          (r.operators === undefined || r.operators.includes(odrlTerm(c.operator))),
      ),
  );
  permissions[0] = { ...first, constraint: [...kept, ...replaced.map((r) => r.constraint)] };
  return { ...policy, permission: permissions };
}

/** An ODRL term however it is written (`count`, `odrl:count`, the full IRI, `{"@id": …}`), as its name. */
function odrlTerm(value: unknown): string {
  const id = value !== null && typeof value === 'object' ? (value as { '@id'?: unknown })['@id'] : value;
  return String(id).replace(/^(?:odrl:|https?:\/\/www\.w3\.org\/ns\/odrl\/2\/)/, '');
}

export function parseJson(ctx: ConsoleContext, text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new HttpProblem(400, 'invalid-body', ctx.t('This is not a JSON object.'));
}

/** A template is an ODRL Offer; the contract policy of an offer is the same without a target. */
function withoutTarget(policy: Record<string, unknown>): Record<string, unknown> {
  const { target, ...rest } = policy;
  void target;
  return rest;
}

function removeForm(app: ConsoleApp, ctx: ConsoleContext, what: 'assets' | 'offers', id: string): Html {
  return html`<form method="post" action="${app.base}/publish/${what}/remove" class="inline">
    ${csrfField(ctx)}<input type="hidden" name="id" value="${id}" /><button class="danger">
      ${ctx.t('Remove')}
    </button>
  </form>`;
}

function assetForm(app: ConsoleApp, ctx: ConsoleContext, did: string): Html {
  const { t } = ctx;
  return html`<form
    method="post"
    action="${app.base}/publish/assets"
    enctype="multipart/form-data"
    class="stack"
    id="asset-form"
  >
    ${csrfField(ctx)}
    <label>${t('Id')} <input name="id" required placeholder="urn:dataset:outpatient-2026" /></label>
    <label>${t('Title')} <input name="title" required /></label>
    <label>${t('Description')} <textarea name="description" rows="3"></textarea></label>
    <label
      >${t('Keywords')} <span class="meta">${t('separate with commas')}</span><input name="keywords"
    /></label>
    <label
      >${t('Sector')}
      <select name="sector">
        ${codeOptions(ctx, 'sector', SECTORS)}
      </select></label
    >
    <label
      >${t('Data grade')}
      <select name="dataGrade">
        ${codeOptions(ctx, 'grade', GRADES)}
      </select></label
    >
    <label>${t('Media type')} <input name="format" value="text/csv" /></label>
    <label
      >${t('Licence URL')} <input name="licence" required value="https://licences.example/research"
    /></label>
    <fieldset>
      <legend>${t('Where the data comes from')}</legend>
      <label class="choice"
        ><input type="radio" name="source" value="file" checked />
        ${t('A file, uploaded into the files folder')}</label
      >
      <input type="file" name="file" aria-label="${t('File')}" />
      <label class="choice"><input type="radio" name="source" value="http" /> ${t('An http backend')}</label>
      <input name="url" placeholder="https://backend.example/data.csv" aria-label="${t('Backend URL')}" />
      <label class="choice"><input type="radio" name="source" value="text" /> ${t('Text typed here')}</label>
      <textarea name="text" rows="3" aria-label="${t('Text')}"></textarea>
    </fieldset>
    <p class="meta">${t('Publisher')}: ${did}</p>
    <div><button>${t('Add the asset')}</button></div>
  </form>`;
}

/** The policy editor's common terms (names read by commonConstraints); the counter-offer form uses them too. */
export function commonTermsFields(ctx: ConsoleContext): Html {
  const { t } = ctx;
  return html`<fieldset>
    <legend>${t('Common terms (each one filled in replaces the same term in the JSON below)')}</legend>
    <label>${t('Purposes allowed')} <input name="purpose" placeholder="scientific-research" /></label>
    <label>${t('Places of use')} <input name="place" placeholder="CN, CN-BJ" /></label>
    <label>${t('Usable until (Beijing time)')} <input name="until" type="date" /></label>
    <label>${t('Maximum number of uses')} <input name="maxUses" type="number" min="1" /></label>
  </fieldset>`;
}

function offerForm(
  app: ConsoleApp,
  ctx: ConsoleContext,
  assetIds: readonly string[],
  template: string,
  sample: string,
): Html {
  const { t } = ctx;
  return html`<form method="post" action="${app.base}/publish/offers" class="stack" id="offer-form">
    ${csrfField(ctx)}
    <label
      >${t('Offer id')} <span class="meta">${t('letters, digits, dot, dash, underscore')}</span
      ><input name="id" required pattern="[A-Za-z0-9._-]+"
    /></label>
    <label
      >${t('Assets')} <span class="meta">${t('separate with commas')}</span
      ><input name="assets" required value="${assetIds.at(-1) ?? ''}"
    /></label>
    <label
      >${t('Who may see it in the catalog')}
      <select name="access">
        <option value="members">${t('every member of the data space')}</option>
        <option value="sector">${t('members of one sector')}</option>
      </select></label
    >
    <label>${t('Sector (for the above)')} <input name="accessSector" value="medical" /></label>
    <label
      >${t('Approval')}
      <select name="approval">
        <option value="automatic">${t('agree automatically when the policy permits')}</option>
        <option value="manual">${t('wait for my decision')}</option>
      </select></label
    >
    ${commonTermsFields(ctx)}
    <label
      >${t('Contract policy (ODRL JSON)')}
      <textarea
        name="policy"
        id="policy-json"
        rows="18"
        required
        data-check-url="${app.base}/publish/policy-check"
      >
${template}</textarea>
    </label>
    <output
      id="policy-live"
      aria-live="polite"
      data-good="${t('The policy compiles.')}"
      data-bad-json="${t('Not JSON yet:')}"
    ></output>
    <label
      >${t('Sample request to evaluate (JSON)')} <textarea name="request" rows="8">${sample}</textarea>
    </label>
    <div>
      <button formaction="${app.base}/publish/policy-evaluate" formnovalidate class="secondary">
        ${t('Check and evaluate')}
      </button>
      <button>${t('Publish the offer')}</button>
    </div>
  </form>`;
}

/** policies/templates, from the source tree or the compiled one (dist/connector/console → root). */
function templateDirectory(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'policies', 'templates');
    if (existsSync(join(candidate, 'medical.json'))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}
