// Product registration through the management API (below /management/v1, behind its key):
//   POST /products          a product description (the authority's fields; dspEndpoint defaults to ours):
//                           submitted to the authority as this connector's DID; 201 with the application
//   GET  /products          our registrations, after syncing the authority's decisions
//   GET  /products/:id      one (application id or product identifier), after syncing
import { Router } from 'express';
import type { OpenApiExtension } from '../management/openapi.js';
import { pathParam } from '../management/input.js';
import type { ProductRegistrations } from './service.js';

export function productRoutes(products: ProductRegistrations): Router {
  const router = Router();
  router.post('/products', async (req, res) => {
    res.status(201).json(await products.apply(req.body));
  });
  router.get('/products', async (_req, res) => {
    res.json({ products: await products.sync() });
  });
  router.get('/products/:id', async (req, res) => {
    await products.sync();
    res.json(await products.get(pathParam(req, 'id')));
  });
  return router;
}

// ---- the routes above in the management API's OpenAPI document (createManagementRouter's `openApi`) ----

type Json = Record<string, unknown>;
const problem = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const ok = (description: string): Json => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ProductRegistration' } } },
});
const text = { type: 'string', minLength: 1 };
const bilingual = {
  type: 'object',
  required: ['zh', 'en'],
  additionalProperties: false,
  properties: { zh: text, en: text },
};

/** What productRoutes serves, for the management API's OpenAPI document. */
export const PRODUCTS_OPENAPI: OpenApiExtension = {
  paths: {
    '/products': {
      post: {
        tags: ['products'],
        summary:
          'Apply for registration of a data product (数据产品登记) at the authority, signed as this connector.',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ProductDescription' } } },
        },
        responses: {
          201: ok('The application, pending review.'),
          400: problem('The description is not valid: every problem with its JSON pointer.'),
          403: problem('This connector is not an active member.'),
          409: problem('A dataset already belongs to a pending or registered product.'),
          502: problem('The authority cannot be reached.'),
        },
      },
      get: {
        tags: ['products'],
        summary: "Our product registrations, after reading the authority's decisions.",
        responses: {
          200: {
            description: 'The registrations.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    products: { type: 'array', items: { $ref: '#/components/schemas/ProductRegistration' } },
                  },
                },
              },
            },
          },
          502: problem('The authority cannot be reached.'),
        },
      },
    },
    '/products/{id}': {
      get: {
        tags: ['products'],
        summary: 'One registration, by application id or product identifier.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            description: 'The application id (urn:uuid:…) or the product identifier (SY-…).',
            schema: text,
          },
        ],
        responses: { 200: ok('The registration.'), 404: problem('No such registration.') },
      },
    },
  },
  schemas: {
    ProductDescription: {
      type: 'object',
      description: 'The 数据产品说明书; dspEndpoint defaults to this connector’s.',
      required: [
        'name',
        'dataSource',
        'scope',
        'updateFrequency',
        'dataGrade',
        'complianceAssessment',
        'datasetIds',
      ],
      properties: {
        name: bilingual,
        dataSource: bilingual,
        scope: bilingual,
        updateFrequency: {
          enum: ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular', 'static'],
        },
        dataGrade: { enum: ['general', 'important', 'core'] },
        complianceAssessment: {
          type: 'object',
          required: ['summary', 'assessor', 'date'],
          properties: { summary: bilingual, assessor: text, date: { type: 'string', format: 'date' } },
        },
        datasetIds: { type: 'array', minItems: 1, items: text },
        dspEndpoint: { type: 'string', format: 'uri' },
      },
    },
    ProductRegistration: {
      type: 'object',
      required: ['id', 'state', 'description'],
      properties: {
        id: text,
        state: { enum: ['pending', 'registered', 'rejected'] },
        productId: text,
        credentialId: text,
        credentialUrl: { type: 'string', format: 'uri' },
        credential: { type: 'string', description: 'The DataProductRegistration credential (vc+jwt).' },
        decisionNote: { type: 'string', description: "The reviewer's reason (rejection) or note." },
        description: { type: 'object' },
      },
    },
  },
};
