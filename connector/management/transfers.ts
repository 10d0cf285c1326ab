// Transfers through the management API: request one under a finalized agreement (consumer), list and
// read them, start a requested one (provider), and suspend, resume, complete or terminate them (either
// role).

import { Router } from 'express';
import type { ControlPlane } from '../control-plane/index.js';
import type { DataAddress } from '../dsp/messages/index.js';
import { HttpProblem } from '../http/problem.js';
import { TRANSFER_STATES, type TransferRecord } from '../transfer/index.js';
import { Input, listParam, listQuery, optionalQuery, pathParam } from './input.js';
import { processActions } from './process-actions.js';
import { declaredUsageInput } from './usage-input.js';
import { transferView } from './views.js';
import { readWhen, waitQuery } from './wait.js';

const ROLES = ['provider', 'consumer'] as const;

export function transferRoutes(plane: ControlPlane): Router {
  const router = Router();
  const actions = plane.transferActions;
  const view = (record: TransferRecord) => transferView(record, plane.automation.modes);

  router.post('/transfers', async (req, res) => {
    const input = new Input(req);
    const agreementId = input.string('agreementId', true);
    const format = input.string('format', true);
    const counterPartyAddress = input.string('counterPartyAddress');
    const dataAddress = input.object('dataAddress');
    input.check('transfer request');
    const usage = declaredUsageInput({ purpose: input.raw('purpose'), spatial: input.raw('spatial') });
    const record = await actions.request({
      agreementId,
      format,
      ...usage,
      ...(counterPartyAddress !== undefined ? { counterPartyAddress } : {}),
      ...(dataAddress !== undefined ? { dataAddress: dataAddress as unknown as DataAddress } : {}),
    });
    res.status(201).json(view(record));
  });

  router.get('/transfers', async (req, res) => {
    const role = listParam(req, 'role', ROLES);
    const state = listParam(req, 'state', TRANSFER_STATES);
    const agreementId = optionalQuery(req, 'agreementId');
    const records = await plane.transfers.list({
      ...listQuery(req),
      ...(role?.length === 1 ? { role: role[0] } : {}),
      ...(state ? { state } : {}),
      ...(agreementId !== undefined ? { agreementId } : {}),
    });
    res.json({ transfers: records.map(view) });
  });

  router.get('/transfers/:id', async (req, res) => {
    const id = pathParam(req, 'id');
    const wait = waitQuery(req, TRANSFER_STATES);
    const record = await readWhen(plane, 'transfer', id, () => plane.transfers.get(id), wait, res);
    if (record === undefined) throw new HttpProblem(404, 'transfer-not-found', `no transfer ${id}`);
    res.json(view(record));
  });

  const act = processActions(router, { path: 'transfers', read: (id) => plane.transfers.get(id), view });
  act('suspend', (id, input) => {
    const reason = input.string('reason');
    input.check('suspension');
    return actions.suspend(id, reason);
  });
  act('start', (id) => actions.start(id));
  act('resume', (id) => actions.resume(id));
  act('complete', (id) => actions.complete(id));
  act('terminate', (id, input) => {
    const reason = input.string('reason') ?? 'terminated by the operator';
    input.check('termination');
    return actions.terminate(id, reason);
  });
  return router;
}
