// Transfers through the management API: request one under a finalized agreement (consumer), list and
// read them, and suspend, resume, complete or terminate them (either role).

import { Router } from 'express';
import type { ControlPlane } from '../control-plane/index.js';
import type { DataAddress } from '../dsp/messages/index.js';
import { HttpProblem } from '../http/problem.js';
import { TRANSFER_STATES, type TransferRecord } from '../transfer/index.js';
import { Input, listParam, listQuery, pathParam } from './input.js';
import { transferView } from './views.js';

const ROLES = ['provider', 'consumer'] as const;

export function transferRoutes(plane: ControlPlane): Router {
  const router = Router();
  const actions = plane.transferActions;

  router.post('/transfers', async (req, res) => {
    const input = new Input(req);
    const agreementId = input.string('agreementId', true);
    const format = input.string('format', true);
    const counterPartyAddress = input.string('counterPartyAddress');
    const dataAddress = input.object('dataAddress');
    input.check('transfer request');
    const record = await actions.request({
      agreementId,
      format,
      ...(counterPartyAddress !== undefined ? { counterPartyAddress } : {}),
      ...(dataAddress !== undefined ? { dataAddress: dataAddress as unknown as DataAddress } : {}),
    });
    res.status(201).json(transferView(record));
  });

  router.get('/transfers', async (req, res) => {
    const role = listParam(req, 'role', ROLES);
    const state = listParam(req, 'state', TRANSFER_STATES);
    const records = await plane.transfers.list({
      ...listQuery(req),
      ...(role?.length === 1 ? { role: role[0] } : {}),
      ...(state ? { state } : {}),
    });
    res.json({ transfers: records.map(transferView) });
  });

  router.get('/transfers/:id', async (req, res) => {
    const id = pathParam(req, 'id');
    const record = await plane.transfers.get(id);
    if (record === undefined) throw new HttpProblem(404, 'transfer-not-found', `no transfer ${id}`);
    res.json(transferView(record));
  });

  const act = (name: string, run: (id: string, input: Input) => Promise<TransferRecord>): void => {
    router.post(`/transfers/:id/${name}`, async (req, res) => {
      res.json(transferView(await run(pathParam(req, 'id'), new Input(req))));
    });
  };
  act('suspend', (id, input) => {
    const reason = input.string('reason');
    input.check('suspension');
    return actions.suspend(id, reason);
  });
  act('resume', (id) => actions.start(id));
  act('complete', (id) => actions.complete(id));
  act('terminate', (id, input) => {
    const reason = input.string('reason') ?? 'terminated by the operator';
    input.check('termination');
    return actions.terminate(id, reason);
  });
  return router;
}
