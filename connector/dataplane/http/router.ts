// The HTTP pull endpoint: `GET|HEAD /data/:transferId` for the holder of a valid endpoint data
// reference (Authorization: Bearer), and `POST /data/:transferId/refresh` to renew it before expiry.
// Every GET is one access under usage control; the body streams from the source with backpressure
// (stream.pipeline), never buffered. Mount it where the EDR endpoint points (publicUrl).
import { errorReporter, rootLogger } from '../../logging/index.js';
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { problemBody } from '../../http/problem.js';
import { systemClock } from '../../identity/clock.js';
import { openAuthorizedData, type AccessServices, type AuthorizedData } from '../access.js';
import { refreshEdr } from '../edr/refresh.js';
import { verifyEdr } from '../edr/verify.js';
import { DataPlaneError, isDataPlaneError } from '../errors.js';
import { parseRangeHeader, rangeLength, type ByteRange } from '../range.js';
import type { DataPlaneIdentity, TransferLookup, TransferView } from '../types.js';
import { dataPlaneProblem, isOperatorProblem } from './problems.js';
import { streamBody } from './stream-body.js';
import { usageLeft, usageLeftHeaders } from '../usage/left.js';

export interface AccessEvent {
  readonly transferId: string;
  readonly agreementId?: string;
  readonly consumerDid?: string;
  readonly method: string;
  readonly status: number;
  /** served: the body was sent completely; aborted: the client went away; failed: the source failed. */
  readonly outcome: 'served' | 'refused' | 'aborted' | 'failed';
  readonly bytes: number;
  readonly range?: ByteRange;
  /** The agreement's access count after this access (when it was counted). */
  readonly count?: number;
  /** The error code of a refusal or failure. */
  readonly code?: string;
  readonly reason?: string;
  readonly performed?: readonly string[];
  readonly at: Date;
}

export interface DataPlaneRouterOptions extends AccessServices {
  readonly identity: DataPlaneIdentity;
  readonly lookupTransfer: TransferLookup;
  /** Public URL the router is mounted at (refreshed references point here). */
  readonly publicUrl: string;
  /** Lifetime of refreshed references (default 300 s). */
  readonly edrLifetimeSeconds?: number;
  readonly maxSessionSeconds?: number;
  readonly clockSkewSeconds?: number;
  /** Told about every access, served or refused (evidence log, metrics). Must not throw. */
  readonly onAccess?: (event: AccessEvent) => void;
  /**
   * Admits a verified request of `consumerDid` (rate limits, downloads in flight): throws to refuse (an
   * HttpProblem, e.g. 429), or returns what frees its slot once the answer is sent.
   */
  readonly admit?: (consumerDid: string, res: Response) => () => void;
}

interface RequestInfo {
  transferId: string;
  transfer?: TransferView;
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)\s*$/i;

function bearerToken(req: Request): string {
  const match = BEARER.exec(req.get('authorization') ?? '');
  if (!match?.[1]) {
    throw new DataPlaneError(
      'ERR_EDR_MALFORMED',
      'Send the authorization of the endpoint data reference as "Authorization: Bearer <token>".',
    );
  }
  return match[1];
}

export function createDataPlaneRouter(options: DataPlaneRouterOptions): Router {
  const router = Router();
  const clock = options.clock ?? systemClock;
  const log = options.log ?? errorReporter(rootLogger(), 'data plane');
  const info = new WeakMap<Request, RequestInfo>();
  const emit = (event: Omit<AccessEvent, 'at'>): void => {
    try {
      options.onAccess?.({ ...event, at: clock() });
    } catch (error) {
      log(error);
    }
  };

  const verify = async (req: Request) => {
    const transferId = String(req.params.transferId);
    const state: RequestInfo = { transferId };
    info.set(req, state);
    const verified = await verifyEdr(bearerToken(req), {
      identity: options.identity,
      lookupTransfer: options.lookupTransfer,
      transferId,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.clockSkewSeconds !== undefined ? { clockSkewSeconds: options.clockSkewSeconds } : {}),
    });
    state.transfer = verified.transfer;
    return { transferId, verified };
  };

  const serve =
    (head: boolean): RequestHandler =>
    async (req, res, next) => {
      let release: (() => void) | undefined;
      try {
        const { transferId, verified } = await verify(req);
        release = options.admit?.(verified.transfer.consumerDid, res);
        const ifRange = req.get('if-range');
        const range = parseRangeHeader(req.get('range'));
        const access = await openAuthorizedData(options, {
          transferId,
          transfer: verified.transfer,
          ...(range ? { range } : {}),
          ...(ifRange !== undefined ? { ifRange } : {}),
          dryRun: head,
        });
        writeHead(res, access);
        const base = {
          transferId,
          agreementId: verified.transfer.agreementId,
          consumerDid: verified.transfer.consumerDid,
          method: req.method,
          status: res.statusCode,
          ...(access.data.range ? { range: access.data.range } : {}),
          ...(head ? {} : { count: access.grant.count, performed: access.performed }),
        };
        if (head) {
          access.data.stream.destroy();
          res.end();
          emit({ ...base, outcome: 'served', bytes: 0 });
          return;
        }
        const { data } = access;
        const length = data.range ? rangeLength(data.range) : data.size;
        const result = await streamBody(data.stream, res, length);
        if (result.error !== undefined && result.outcome === 'failed') log(result.error);
        emit({ ...base, outcome: result.outcome, bytes: result.bytes });
      } catch (error) {
        // A refused use still tells the consumer what is left (none, usually).
        if (isDataPlaneError(error, 'ERR_USAGE_DENIED')) await leftOnRefusal(req, res).catch(log);
        next(error);
      } finally {
        release?.();
      }
    };

  const leftOnRefusal = async (req: Request, res: Response): Promise<void> => {
    const transfer = info.get(req)?.transfer;
    if (transfer === undefined || res.headersSent) return;
    const usage = await options.meter.usage(transfer.agreementId);
    const left = usageLeft(transfer.policy.policy, usage?.count ?? 0, usage?.firstUseAt);
    for (const [name, value] of Object.entries(usageLeftHeaders(left))) res.setHeader(name, value);
  };

  router.head('/data/:transferId', serve(true));
  router.get('/data/:transferId', serve(false));
  router.post('/data/:transferId/refresh', async (req, res, next) => {
    try {
      const transferId = String(req.params.transferId);
      info.set(req, { transferId });
      const edr = await refreshEdr(bearerToken(req), {
        identity: options.identity,
        lookupTransfer: options.lookupTransfer,
        transferId,
        signer: options.identity.signer(),
        endpoint: options.publicUrl,
        ...(options.edrLifetimeSeconds !== undefined ? { lifetimeSeconds: options.edrLifetimeSeconds } : {}),
        ...(options.maxSessionSeconds !== undefined ? { maxSessionSeconds: options.maxSessionSeconds } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.clockSkewSeconds !== undefined ? { clockSkewSeconds: options.clockSkewSeconds } : {}),
      });
      res.setHeader('Cache-Control', 'no-store');
      res.json(edr);
    } catch (error) {
      next(error);
    }
  });

  const errors: ErrorRequestHandler = (error, req, res, next) => {
    if (!isDataPlaneError(error)) {
      next(error);
      return;
    }
    const state = info.get(req);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const problem = dataPlaneProblem(error);
    if (isOperatorProblem(problem)) log(error);
    if (problem.status === 401) {
      res.setHeader('WWW-Authenticate', `Bearer error="invalid_token", error_description="${problem.code}"`);
    }
    const size = error.details.size;
    if (problem.status === 416 && typeof size === 'number') res.setHeader('Content-Range', `bytes */${size}`);
    res.setHeader('Cache-Control', 'no-store');
    res
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify(problemBody(problem)));
    if (state) {
      emit({
        transferId: state.transferId,
        ...(state.transfer
          ? { agreementId: state.transfer.agreementId, consumerDid: state.transfer.consumerDid }
          : {}),
        method: req.method,
        status: problem.status,
        outcome: 'refused',
        bytes: 0,
        code: error.code,
        reason: problem.detail,
      });
    }
  };
  router.use(errors);
  return router;
}

function writeHead(res: Response, access: AuthorizedData): void {
  const { data } = access;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Type', data.contentType);
  res.setHeader('Accept-Ranges', access.acceptsRanges ? 'bytes' : 'none');
  if (data.etag !== undefined) res.setHeader('ETag', data.etag);
  for (const [name, value] of Object.entries(usageLeftHeaders(access.left))) res.setHeader(name, value);
  if (data.range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${data.range.start}-${data.range.end}/${data.size ?? '*'}`);
    res.setHeader('Content-Length', rangeLength(data.range));
  } else {
    res.status(200);
    if (data.size !== undefined) res.setHeader('Content-Length', data.size);
  }
}
