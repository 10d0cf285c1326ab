// One place where failures on DSP paths become the spec's error bodies: CatalogError on catalog
// endpoints, ContractNegotiationError and TransferError on process endpoints, each with a stable code
// and the reasons. It also catches what fails before any DSP route runs (malformed JSON, a body over
// the size limit, a caller that does not authenticate), so a DSP peer always gets a DSP answer.
// Status codes: not found / not yours → 404, invalid transition and bad input → 400, body too large →
// 413, unauthenticated → 401, refused credentials → 403; bad input never yields a 5xx.

import { rootLogger, type Logger } from '../logging/index.js';
import type { ErrorRequestHandler } from 'express';
import { HttpProblem, logProblem, toProblem } from '../http/problem.js';
import { ProcessError } from '../negotiation/index.js';
import { DSP_PATH } from '../control-plane/index.js';
import {
  buildCatalogError,
  buildContractNegotiationError,
  buildTransferError,
  DspError,
} from './messages/index.js';
import { pidsOf, send } from './http.js';

/** The DSP answer for a store failure. */
export function fromProcessError(e: ProcessError): HttpProblem {
  switch (e.code) {
    case 'ERR_NOT_FOUND':
      return new DspError('not-found', e.message);
    case 'ERR_INVALID_TRANSITION':
      return new DspError('invalid-transition', e.message);
    case 'ERR_VERSION_CONFLICT':
      return new HttpProblem(409, 'conflict', `${e.message} (a concurrent change; send the message again)`);
    default:
      return new DspError('bad-message', e.message);
  }
}

/** DSP error bodies on DSP paths; one log line per error answer (logProblem), to `logger` or the app's. */
export function dspErrorHandler(logger?: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const area = areaOf(req.path);
    if (area === undefined || res.headersSent) {
      next(err);
      return;
    }
    const problem: HttpProblem = toProblem(err instanceof ProcessError ? fromProcessError(err) : err);
    logProblem(logger ?? (req.app.locals.logger as Logger | undefined) ?? rootLogger(), req, err, problem);
    const reason = [problem.detail, ...problem.errors.map((e) => `${e.pointer || '(message)'}: ${e.reason}`)];
    const fields = { code: problem.code, reason };
    const body =
      area === 'catalog'
        ? buildCatalogError(fields)
        : area === 'negotiation'
          ? buildContractNegotiationError({ ...pidsOf(res), ...fields })
          : buildTransferError({ ...pidsOf(res), ...fields });
    send(res, problem.status, body);
  };
}

function areaOf(path: string): 'catalog' | 'negotiation' | 'transfer' | undefined {
  if (!path.startsWith(`${DSP_PATH}/`)) return undefined;
  const first = path.slice(DSP_PATH.length + 1).split('/')[0];
  if (first === 'negotiations') return 'negotiation';
  if (first === 'transfers') return 'transfer';
  return 'catalog';
}
