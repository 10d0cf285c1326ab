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
