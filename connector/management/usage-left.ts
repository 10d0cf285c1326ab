// What is left of a transfer's agreement, through the management API: GET answers for either role
// (a provider computes it from its meter and the agreement's policy, a consumer answers what the
// provider last said in the Shuyu-Uses-Remaining / Shuyu-Use-Until headers of a pull); PUT lets a
// consumer's own tools (the CLI's `transfer fetch`, which pulls directly) record what they were told.
import { Router } from 'express';
import { HttpProblem } from '../http/problem.js';
import type { TransferRecord } from '../transfer/index.js';
import type { ObservedUsageLeft, UsageLeft, UsageLeftStore } from '../dataplane/usage/left.js';
import { Input, pathParam } from './input.js';

export interface UsageLeftRoutesOptions {
  readonly transfer: (id: string) => Promise<TransferRecord | undefined>;
  /** Computed (provider) or last observed (consumer); undefined when nothing is known. */
  readonly leftOf: (record: TransferRecord) => Promise<UsageLeft | ObservedUsageLeft | undefined>;
  readonly store: UsageLeftStore;
  readonly clock: () => Date;
}

export function usageLeftRoutes(options: UsageLeftRoutesOptions): Router {
  const router = Router();
  const found = async (id: string): Promise<TransferRecord> => {
    const record = await options.transfer(id);
    if (record === undefined) throw new HttpProblem(404, 'transfer-not-found', `no transfer ${id}`);
    return record;
  };

  router.get('/transfers/:id/usage-left', async (req, res) => {
    const record = await found(pathParam(req, 'id'));
    const left = await options.leftOf(record);
    res.json({ transferId: record.id, role: record.role, agreementId: record.agreementId, ...left });
  });

  router.put('/transfers/:id/usage-left', async (req, res) => {
    const record = await found(pathParam(req, 'id'));
    const input = new Input(req);
    const remaining = input.integer('remaining');
    const limit = input.integer('limit');
    const until = input.string('until');
    input.check('usage left');
    if (until !== undefined && Number.isNaN(Date.parse(until)))
      throw new HttpProblem(400, 'invalid-body', 'the usage left is not valid; see errors', [
        {
          pointer: '/until',
          reason: 'must be an ISO 8601 date-time, as the Shuyu-Use-Until header gives it',
        },
      ]);
    if (record.role !== 'consumer')
      throw new HttpProblem(409, 'not-consumer', 'only a consumer records what the provider says is left');
    await options.store.record(
      record.id,
      {
        ...(remaining !== undefined ? { remaining } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(until !== undefined ? { until: new Date(until).toISOString() } : {}),
      },
      options.clock(),
    );
    res.json({
      transferId: record.id,
      role: record.role,
      agreementId: record.agreementId,
      ...(await options.leftOf(record)),
    });
  });
  return router;
}

const LEFT = {
  type: 'object',
  required: ['transferId', 'role', 'agreementId'],
  properties: {
    transferId: { type: 'string' },
    role: { enum: ['provider', 'consumer'] },
    agreementId: { type: 'string' },
    limit: {
      type: 'integer',
      minimum: 0,
      description: 'Uses the agreement allows in total (absent: no count limit).',
    },
    remaining: { type: 'integer', minimum: 0, description: 'Uses still allowed (absent: no count limit).' },
    until: {
      type: 'string',
      format: 'date-time',
      description: 'The last instant of use (absent: no time limit, or none known yet).',
    },
    observedAt: {
      type: 'string',
      format: 'date-time',
      description: 'Consumer: when the provider last said it (with a pull).',
    },
  },
};
const PROBLEM = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const ANSWER = { description: 'What is left.', content: { 'application/json': { schema: LEFT } } };
const ID = {
  name: 'id',
  in: 'path',
  required: true,
  description: "The transfer's id (percent-encoded).",
  schema: { type: 'string', minLength: 1 },
};

/** What usageLeftRoutes serves, for the management API's OpenAPI document. */
export const USAGE_LEFT_OPENAPI = {
  paths: {
    '/transfers/{id}/usage-left': {
      get: {
        tags: ['transfers'],
        summary:
          "What is left of the transfer's agreement: uses and the last instant of use. A provider computes it from its meter and the policy; a consumer answers what the provider last said in the Shuyu-Uses-Remaining, Shuyu-Uses-Limit and Shuyu-Use-Until headers of a pull.",
        parameters: [ID],
        responses: { 200: ANSWER, 404: PROBLEM('No such transfer.') },
      },
      put: {
        tags: ['transfers'],
        summary:
          "Consumer: records what the provider's headers said with a pull made outside the connector (shuyu transfer fetch does); an older reading never replaces a newer one.",
        parameters: [ID],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  remaining: { type: 'integer', minimum: 0 },
                  limit: { type: 'integer', minimum: 0 },
                  until: { type: 'string', format: 'date-time' },
                },
              },
              examples: {
                seven: { value: { remaining: 7, limit: 10, until: '2026-12-31T15:59:00.000Z' } },
              },
            },
          },
        },
        responses: {
          200: ANSWER,
          400: PROBLEM('Bad input: every problem with its pointer.'),
          404: PROBLEM('No such transfer.'),
          409: PROBLEM('The transfer is ours as provider: we count the uses ourselves.'),
        },
      },
    },
  },
};
