// DSP 2025-1 transfer process endpoints, both roles, below the DSP base (see negotiation/router.ts:
// provider endpoints and consumer callbacks share the base; the record's role decides).

import { Router } from 'express';
import type { TransferProtocol } from '../../control-plane/index.js';
import { callerFrom, onMessage, param, send } from '../http.js';

export function transferRouter(protocol: TransferProtocol): Router {
  const router = Router();
  onMessage(router, '/transfers/request', 'TransferRequestMessage', (caller, _pid, m) =>
    protocol.request(caller, m),
  );
  router.get('/transfers/:pid', async (req, res) => {
    send(res, 200, await protocol.state(callerFrom(res), param(req, 'pid')));
  });
  onMessage(router, '/transfers/:pid/start', 'TransferStartMessage', (caller, pid, m) =>
    protocol.start(caller, pid, m),
  );
  onMessage(router, '/transfers/:pid/completion', 'TransferCompletionMessage', (caller, pid, m) =>
    protocol.completion(caller, pid, m),
  );
  onMessage(router, '/transfers/:pid/suspension', 'TransferSuspensionMessage', (caller, pid, m) =>
    protocol.suspension(caller, pid, m),
  );
  onMessage(router, '/transfers/:pid/termination', 'TransferTerminationMessage', (caller, pid, m) =>
    protocol.termination(caller, pid, m),
  );
  return router;
}
