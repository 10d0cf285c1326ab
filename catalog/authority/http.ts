// The authority's HTTP API. Thin handlers: authenticate, validate, call the service, answer.
//   public       GET  /authority/v1                       who the authority is, its status lists
//                GET  /authority/v1/status/:purpose       the signed status list (vc+jwt)
//                GET  /authority/v1/profile               the data space profile (trusted issuers, contexts)
//   member       GET  /authority/v1/status/events         signed status changes, Server-Sent Events
//   applicant    POST /authority/v1/applications          apply (ID token proving the DID)
//   (DID proof)  GET  /authority/v1/applications/mine     own applications only
//   (issued credentials reach members by DCP issuance: dcp-issuer.ts)
//   admin        (authorityAdminRouter, on the admin listener only: never the public port)
//                GET  /authority/v1/admin/applications[?state=pending]
//   (API key)    GET  /authority/v1/admin/applications/:id
//                POST /authority/v1/admin/applications/:id/approve|reject
//                GET  /authority/v1/admin/members[?state=], GET /authority/v1/admin/members/:did
//                POST /authority/v1/admin/members/:did/suspend|reinstate|revoke
//                GET  /authority/v1/admin/audit[?subject=&limit=&before=]
//                GET  /authority/v1/admin/metrics          Prometheus text (metrics.ts: authorityMetricsRouter)
//   (the federated catalog's GET /authority/v1/admin/catalog and POST …/catalog/crawl: federation/http/admin-routes.ts)
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { DidResolver } from '../../connector/identity/did/resolver.js';
import { didProofOf, requireDidProof } from '../../connector/http/caller-auth.js';
import { HttpProblem } from '../../connector/http/problem.js';
import type { ReplayCache } from '../../connector/identity/tokens/replay-cache.js';
import type { ApplicationLimits } from './application-limits.js';
import type { DataSpaceProfile } from './profile.js';
import { AUTHORITY_API_PREFIX, type AuthorityService } from './service.js';
import { parseApplicationRequest, parseApproval, parseNote, parseReason } from './validate.js';
import type { ApplicationState, MemberState } from './types.js';

const APPLICATION_STATES: readonly ApplicationState[] = ['pending', 'approved', 'rejected'];
const MEMBER_STATES: readonly MemberState[] = ['active', 'suspended', 'revoked'];

export function stateFilter<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new HttpProblem(400, 'invalid-query', `"state" must be one of ${allowed.join(', ')}.`, [
    { pointer: 'state', reason: `must be one of ${allowed.join(', ')}` },
  ]);
}

export function intParam(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) {
    throw new HttpProblem(400, 'invalid-query', `"${name}" must be a non-negative integer.`, [
      { pointer: name, reason: 'must be a non-negative integer' },
    ]);
  }
  return Number(value);
}

export function adminOf(res: Response): string {
  return res.locals.admin as string;
}

/** Admin API key in `Authorization: Bearer`; the key's name goes to `res.locals.admin` ("admin:<name>"). */
export function requireAdmin(service: AuthorityService): RequestHandler {
  return async (req, res, next) => {
    try {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      const name = match?.[1] ? await service.adminKeyName(match[1]) : undefined;
      if (!name) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="shuyu-authority-admin"');
        throw new HttpProblem(
          401,
          'admin-key-required',
          'This is an admin operation: send "Authorization: Bearer <admin API key>" (shuyu authority init ' +
            'prints one and stores it in the data directory).',
        );
      }
      res.locals.admin = `admin:${name}`;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** Express 5 forwards rejected promises to the error handler, so handlers can simply be async. */
type Handler = (req: Request, res: Response) => Promise<void>;

export interface AuthorityRouterOptions {
  service: AuthorityService;
  resolver: DidResolver;
  replayCache: ReplayCache;
  profile: DataSpaceProfile;
  /** How often anyone may apply (application-limits.ts); none: no limit. */
  applicationLimits?: ApplicationLimits;
}

const route = (handler: Handler): RequestHandler => handler as RequestHandler;

/** What members, applicants and everyone call: the public listener. */
export function authorityRouter({
  service,
  resolver,
  replayCache,
  profile,
  applicationLimits,
}: AuthorityRouterOptions): Router {
  const router = Router();
  const didProof = requireDidProof({ resolver, audience: service.did, replayCache });

  router.get(
    AUTHORITY_API_PREFIX,
    route(async (_req, res) => {
      res.json({
        did: service.did,
        dataSpace: service.dataSpace,
        statusLists: {
          revocation: service.statusListUrl('revocation'),
          suspension: service.statusListUrl('suspension'),
        },
      });
    }),
  );

  router.get(
    `${AUTHORITY_API_PREFIX}/profile`,
    route(async (_req, res) => {
      res.json(profile);
    }),
  );

  // Before /status/:purpose, which would take "events" for a purpose.
  router.get(
    `${AUTHORITY_API_PREFIX}/status/events`,
    didProof,
    route(async (req, res) => {
      const member = await service.member(didProofOf(res).caller);
      if (member.state === 'revoked') {
        throw new HttpProblem(403, 'member-revoked', `${member.did}'s membership was revoked.`);
      }
      await service.statusEvents.stream(req, res);
    }),
  );

  router.get(
    `${AUTHORITY_API_PREFIX}/status/:purpose`,
    route(async (req, res) => {
      const purpose = req.params.purpose;
      if (purpose !== 'revocation' && purpose !== 'suspension') {
        throw new HttpProblem(
          404,
          'not-found',
          'The status lists are /status/revocation and /status/suspension.',
        );
      }
      res.setHeader('Cache-Control', 'public, max-age=60');
      res.type('application/vc+jwt').send(await service.statusListCredential(purpose));
    }),
  );

  // ---- applicants (authenticated by proving control of their DID) ----
  const pass: RequestHandler = (_req, _res, next) => next();
  router.post(
    `${AUTHORITY_API_PREFIX}/applications`,
    applicationLimits?.byAddress ?? pass,
    didProof,
    applicationLimits?.byDid ?? pass,
    route(async (req, res) => {
      const request = parseApplicationRequest(req.body);
      const application = await service.apply(didProofOf(res).caller, request);
      res.status(201).location(`${AUTHORITY_API_PREFIX}/applications/mine`).json(application);
    }),
  );
  router.get(
    `${AUTHORITY_API_PREFIX}/applications/mine`,
    didProof,
    route(async (_req, res) => {
      res.json({ applications: await service.applicationsOf(didProofOf(res).caller) });
    }),
  );

  return router;
}

/** The operator's API (admin key): the admin listener only. */
export function authorityAdminRouter(service: AuthorityService): Router {
  const router = Router();
  const adminBase = `${AUTHORITY_API_PREFIX}/admin`;
  router.use(adminBase, requireAdmin(service));
  router.get(
    `${adminBase}/applications`,
    route(async (req, res) => {
      const state = stateFilter(req.query.state, APPLICATION_STATES);
      const limit = intParam(req.query.limit, 'limit');
      const offset = intParam(req.query.offset, 'offset');
      res.json({
        applications: await service.listApplications({
          ...(state ? { state } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(offset !== undefined ? { offset } : {}),
        }),
      });
    }),
  );
  router.get(
    `${adminBase}/applications/:id`,
    route(async (req, res) => {
      res.json(await service.application(String(req.params.id)));
    }),
  );
  router.post(
    `${adminBase}/applications/:id/approve`,
    route(async (req, res) => {
      const result = await service.approve(String(req.params.id), adminOf(res), parseApproval(req.body));
      res.json({
        application: result.application,
        member: result.member,
        credentials: result.credentials.map(({ id, type, validUntil }) => ({ id, type, validUntil })),
      });
    }),
  );
  router.post(
    `${adminBase}/applications/:id/reject`,
    route(async (req, res) => {
      res.json(await service.reject(String(req.params.id), adminOf(res), parseReason(req.body)));
    }),
  );
  router.get(
    `${adminBase}/members`,
    route(async (req, res) => {
      const state = stateFilter(req.query.state, MEMBER_STATES);
      const limit = intParam(req.query.limit, 'limit');
      const offset = intParam(req.query.offset, 'offset');
      res.json({
        members: await service.listMembers({
          ...(state ? { state } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(offset !== undefined ? { offset } : {}),
        }),
      });
    }),
  );
  router.get(
    `${adminBase}/members/:did`,
    route(async (req, res) => {
      res.json(await service.member(String(req.params.did)));
    }),
  );
  router.post(
    `${adminBase}/members/:did/suspend`,
    route(async (req, res) => {
      res.json(await service.suspend(String(req.params.did), adminOf(res), parseReason(req.body)));
    }),
  );
  router.post(
    `${adminBase}/members/:did/reinstate`,
    route(async (req, res) => {
      res.json(await service.reinstate(String(req.params.did), adminOf(res), parseNote(req.body)));
    }),
  );
  router.post(
    `${adminBase}/members/:did/revoke`,
    route(async (req, res) => {
      res.json(await service.revoke(String(req.params.did), adminOf(res), parseReason(req.body)));
    }),
  );
  router.get(
    `${adminBase}/audit`,
    route(async (req, res) => {
      const limit = intParam(req.query.limit, 'limit');
      const before = intParam(req.query.before, 'before');
      const subject = typeof req.query.subject === 'string' ? req.query.subject : undefined;
      res.json({
        entries: await service.auditLog({
          ...(subject ? { subject } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(before !== undefined ? { beforeSeq: before } : {}),
        }),
      });
    }),
  );
  return router;
}
