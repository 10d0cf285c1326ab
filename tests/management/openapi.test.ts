// The management API's OpenAPI 3.1 document against the real router: every route the express router
// stack holds is documented and every documented operation exists; the request schemas (JSON Schema
// 2020-12, compiled with ajv) accept the document's examples and refuse what the API refuses; the
// served document is the built one; real answers validate against the response schemas.
import { expect } from 'chai';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Router } from 'express';
import type { ControlPlane } from '../../connector/control-plane/index.js';
import { EVIDENCE_OPENAPI } from '../../connector/management/evidence.js';
import { USAGE_LEFT_OPENAPI } from '../../connector/management/usage-left.js';
import { PRODUCTS_OPENAPI } from '../../connector/products/index.js';
import {
  createManagementRouter,
  managementOpenApi,
  MANAGEMENT_PATH,
  METRICS_OPENAPI,
} from '../../connector/management/index.js';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../connector/process/run-connector.js';
import { request, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { assetInput, management, medicalContract, MEMBERS_ACCESS } from '../dsp/helpers.js';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const DOC_ID = 'https://w3id.org/shuyu/v1/management/openapi.json';

interface Layer {
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean> };
  readonly handle: { readonly stack?: readonly Layer[] };
  readonly slash: boolean;
  readonly rawPath?: string;
}

/** "METHOD /path" of every route in an express router, nested routers included, in OpenAPI path syntax. */
function routesOf(router: { readonly stack?: readonly Layer[] }, prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of router.stack ?? []) {
    if (layer.route) {
      const path = `${prefix}${layer.route.path}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') out.push(`${method.toUpperCase()} ${path}`);
      }
    } else if (layer.handle.stack) {
      out.push(...routesOf(layer.handle, layer.slash ? prefix : `${prefix}${layer.rawPath ?? ''}`));
    }
  }
  return out;
}

function documented(doc: Json): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const method of METHODS) if (item[method] !== undefined) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

function operations(doc: Json): { key: string; path: string; item: Json; op: Json }[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((m) => ({
      key: `${m.toUpperCase()} ${path}`,
      path,
      item,
      op: item[m] as Json,
    })),
  );
}

function validatorFor(doc: Json): (schema: Json) => ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, DOC_ID);
  return (schema) => {
    const ref = typeof schema.$ref === 'string' ? schema.$ref : undefined;
    if (ref?.startsWith('#/')) {
      const found = ajv.getSchema(`${DOC_ID}${ref}`);
      if (found === undefined) throw new Error(`no schema ${ref}`);
      return found;
    }
    // Inline schemas refer to the document's components: make those references absolute.
    const absolute = JSON.parse(
      JSON.stringify(schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`),
    ) as Json;
    return ajv.compile(absolute);
  };
}

const schemaOf = (doc: Json, name: string): Json => ({ $ref: `#/components/schemas/${name}` });

describe('management API: OpenAPI document', function () {
  this.timeout(20_000);
  const doc = managementOpenApi();
  const validator = validatorFor(doc);

  it('documents exactly the routes the router has', () => {
    const router = createManagementRouter({} as ControlPlane, 'k'.repeat(32)) as Router & {
      stack: readonly Layer[];
    };
    const real = routesOf(router).sort();
    expect(real.length).to.be.greaterThan(25);
    const inDoc = documented(doc).sort();
    expect(
      real.filter((r) => !inDoc.includes(r)),
      'routes missing from the document',
    ).to.deep.equal([]);
    expect(
      inDoc.filter((d) => !real.includes(d)),
      'documented operations with no route',
    ).to.deep.equal([]);
  });

  it('is an OpenAPI 3.1 document whose path parameters, responses and references all resolve', () => {
    expect(doc.openapi).to.match(/^3\.1\.\d+$/);
    const schemas = (doc.components as { schemas: Json }).schemas;
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
    for (const r of refs) expect(schemas, r).to.have.property(r.slice(22, -1));
    for (const { key, path, item, op } of operations(doc)) {
      const params = [...((item.parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])];
      for (const name of path.match(/\{([^}]+)\}/g) ?? []) {
        expect(
          params.some((p) => p.in === 'path' && p.name === name.slice(1, -1) && p.required === true),
          `${key} declares ${name}`,
        ).to.equal(true);
      }
      const responses = Object.keys(op.responses as Json);
      expect(
        responses.some((s) => /^2\d\d$/.test(s)),
        `${key} has a success response`,
      ).to.equal(true);
      // Every error answer is a problem document.
      for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
        if (Number(status) >= 400)
          expect(response.content, `${key} ${status}`).to.have.property('application/problem+json');
      }
    }
  });

  it('accepts every example request body with its schema', () => {
    let examples = 0;
    for (const { key, op } of operations(doc)) {
      const content = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
      const media = content?.['application/json'];
      if (media === undefined) continue;
      const validate = validator(media.schema as Json);
      const given = Object.entries((media.examples as Record<string, { value: unknown }>) ?? {});
      expect(given.length, `${key} has examples`).to.be.greaterThan(0);
      for (const [name, { value }] of given) {
        examples++;
        expect(validate(value), `${key} example ${name}: ${JSON.stringify(validate.errors)}`).to.equal(true);
      }
    }
    expect(examples).to.be.greaterThan(15);
  });

  it('refuses in its schemas what the API refuses', () => {
    const asset = validator(schemaOf(doc, 'AssetInput'));
    const good = assetInput('urn:dataset:a', 'did:web:x');
    expect(asset(good)).to.equal(true);
    for (const bad of [
      { ...good, sector: 'mining' },
      { ...good, dataGrade: 7 },
      { ...good, id: 'not an iri' },
      { ...good, title: '   ' },
      { ...good, colour: 'blue' },
      { ...good, dataAddress: { kind: 'file', path: 'relative.csv' } },
      { ...good, dataAddress: { kind: 'ftp', url: 'ftp://x' } },
      { ...good, licence: 'mailto:legal@x' },
      (({ title: _t, ...rest }) => rest)(good),
    ]) {
      expect(asset(bad), JSON.stringify(bad)).to.equal(false);
    }
    const offer = validator(schemaOf(doc, 'OfferInput'));
    const goodOffer = { id: 'o1', accessPolicy: MEMBERS_ACCESS, contractPolicy: medicalContract() };
    expect(offer(goodOffer)).to.equal(true);
    expect(offer({ ...goodOffer, id: 'has:colon' })).to.equal(false);
    expect(offer({ ...goodOffer, assetSelector: { assetIds: ['a'], sector: 'medical' } })).to.equal(false);
    expect(offer({ ...goodOffer, approval: 'sometimes' })).to.equal(false);
    const negotiation = validator(schemaOf(doc, 'StartNegotiation'));
    const start = { counterPartyAddress: 'http://x/dsp', counterPartyId: 'did:web:x', datasetId: 'urn:d' };
    expect(negotiation(start)).to.equal(false); // neither offerId nor offer
    expect(negotiation({ ...start, offerId: 'urn:o' })).to.equal(true);
    const transfer = validator(schemaOf(doc, 'StartTransfer'));
    expect(transfer({ agreementId: 'urn:a' })).to.equal(false);
    expect(transfer({ agreementId: 'urn:a', format: 'HttpData-PULL', purpose: [] })).to.equal(false);
  });

  describe('on a running connector', () => {
    let space: LocalDataSpace;
    let connector: ControlPlaneConnector;
    before(async () => {
      space = await startLocalDataSpace();
      connector = await startControlPlaneConnector({
        dataDir: `${space.dir}/openapi`,
        port: 0,
        authorityUrl: space.authority.url,
      });
    });
    after(async () => {
      await connector?.close();
      await space?.close();
    });

    it('serves the document with the key only, on the management listener only', async () => {
      expect((await request(`${connector.managementUrl}/openapi.json`)).status).to.equal(401);
      expect((await request(`${connector.url}/management/v1/openapi.json`)).status).to.equal(404);
      const served = await request(`${connector.managementUrl}/openapi.json`, {
        headers: { authorization: `Bearer ${connector.managementApiKey}` },
      });
      expect(served.status).to.equal(200);
      expect(served.headers.get('content-type')).to.match(/^application\/json/);
      expect(served.body).to.deep.equal(
        JSON.parse(
          JSON.stringify(
            managementOpenApi(MANAGEMENT_PATH, [
              EVIDENCE_OPENAPI,
              USAGE_LEFT_OPENAPI,
              PRODUCTS_OPENAPI,
              METRICS_OPENAPI,
            ]),
          ),
        ),
      );
      expect(Object.keys(served.body.paths as object)).to.include('/evidence/entries/{seq}/proof');
      expect((await request(`${connector.managementUrl}/assets`)).status).to.equal(401);
    });

    it('answers the examples as documented, and bad input with the problem schema', async () => {
      const api = management(connector);
      const paths = doc.paths as Record<string, Record<string, Json>>;
      const example = (path: string, method: string, name: string): unknown =>
        (
          ((paths[path]?.[method]?.requestBody as Json).content as Record<string, Json>)['application/json']!
            .examples as Record<string, { value: unknown }>
        )[name]!.value;
      const responseSchema = (path: string, method: string, status: number): ValidateFunction =>
        validator(
          (
            (
              (paths[path]?.[method]?.responses as Record<string, Json>)[status]!.content as Record<
                string,
                Json
              >
            )['application/json'] as Json
          ).schema as Json,
        );

      const created = await api.post('/assets', example('/assets', 'post', 'file'));
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const assetSchema = responseSchema('/assets', 'post', 201);
      expect(assetSchema(created.body), JSON.stringify(assetSchema.errors)).to.equal(true);

      const offer = await api.post('/offers', example('/offers', 'post', 'research'));
      expect(offer.status, JSON.stringify(offer.body)).to.equal(201);
      const offerSchema = responseSchema('/offers', 'post', 201);
      expect(offerSchema(offer.body), JSON.stringify(offerSchema.errors)).to.equal(true);

      const list = await api.get('/assets');
      expect(responseSchema('/assets', 'get', 200)(list.body)).to.equal(true);
      const offers = await api.get('/offers');
      expect(responseSchema('/offers', 'get', 200)(offers.body)).to.equal(true);

      const problemSchema = validator(schemaOf(doc, 'Problem'));
      const refused = await api.post('/assets', {
        ...assetInput('urn:dataset:bad', connector.did),
        sector: 'mining',
      });
      expect(refused.status).to.equal(400);
      expect(refused.headers.get('content-type')).to.match(/application\/problem\+json/);
      expect(problemSchema(refused.body), JSON.stringify(problemSchema.errors)).to.equal(true);
      expect(refused.body.errors).to.deep.include.members([
        { pointer: '/sector', reason: 'expected one of education, energy, finance, medical, found "mining"' },
      ]);

      const badStart = await api.post('/negotiations', { counterPartyAddress: 7 });
      expect(badStart.status).to.equal(400);
      expect(problemSchema(badStart.body)).to.equal(true);
      const pointers = (badStart.body.errors as { pointer: string }[]).map((e) => e.pointer);
      expect(pointers).to.include.members(['/counterPartyAddress', '/counterPartyId', '/datasetId']);

      const waited = await api.get('/negotiations/urn%3Auuid%3Anone?waitFor=FINALIZED&timeoutMs=soon');
      expect(waited.status).to.equal(400);
      expect(problemSchema(waited.body)).to.equal(true);
    });
  });
});
