// The web console, served by the authority/catalog process under /console: search with facets and
// dataset detail for everyone (anonymous visitors see what is open to anyone, signed-in admins see all),
// and for admins the applications queue, members with suspension and revocation, and crawl status.
// Plain server-rendered pages and forms; POSTs need the session cookie (SameSite=Strict) and a same-origin
// Origin header.
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { HttpProblem } from '../../connector/http/problem.js';
import type { ProductRegistry } from '../authority/products/service.js';
import type { AuthorityService } from '../authority/service.js';
import type { Federation } from '../federation/federation.js';
import { parseSearchQuery, SEARCH_PARAMETERS } from '../federation/search/query.js';
import type { Asker, SearchResult } from '../federation/types.js';
import { html, page } from './html.js';
import { cookieValue, ConsoleSessions, SESSION_COOKIE } from './sessions.js';
import { adminPage, datasetPage, loginPage, productsPage, searchPage, type Params } from './views.js';
import { encodeSegment } from '../../connector/http/text.js';

export interface ConsoleOptions {
  readonly service: AuthorityService;
  /** The federated catalog; without it the search pages say the catalog is not running. */
  readonly federation?: Federation;
  readonly sessions?: ConsoleSessions;
  /** The data-product registry: its review queue, the registered products, descriptions on dataset pages. */
  readonly products?: ProductRegistry;
}

type Handler = (req: Request, res: Response) => Promise<void>;

const SEARCH_PARAMS: ReadonlySet<string> = new Set(SEARCH_PARAMETERS);

export function consoleRouter(options: ConsoleOptions): Router {
  const router = Router();
  const sessions = options.sessions ?? new ConsoleSessions();
  const { service, federation, products } = options;
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  const adminOf = (req: Request): string | undefined =>
    sessions.admin(cookieValue(req.headers.cookie, SESSION_COOKIE));
  const send = (res: Response, status: number, body: string): void => {
    res.status(status).type('html').setHeader('Cache-Control', 'no-store');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    );
    res.send(body);
  };
  const route = (handler: Handler): RequestHandler => handler as RequestHandler;

  /** A state-changing form: signed in, same origin. */
  const adminForm = (action: (req: Request, admin: string) => Promise<string>): RequestHandler[] => [
    form,
    route(async (req, res) => {
      const admin = adminOf(req);
      if (!admin) return void res.redirect(303, '/console/login');
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `${req.protocol}://${req.headers.host ?? ''}`) {
        return void send(
          res,
          403,
          page('Refused', html`<p>Cross-site form refused: submit the form from the console itself.</p>`),
        );
      }
      let flash: string;
      try {
        flash = await action(req, admin);
      } catch (error) {
        if (!(error instanceof HttpProblem)) throw error;
        flash = `Refused: ${error.detail}`;
      }
      res.redirect(303, `/console/admin?flash=${encodeSegment(flash)}`);
    }),
  ];
  const field = (req: Request, name: string): string => {
    const value = (req.body as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value.trim() : '';
  };

  router.get(
    '/console',
    route(async (req, res) => {
      const admin = adminOf(req);
      const asker: Asker = admin ? { kind: 'admin', name: admin } : { kind: 'anonymous' };
      const raw = Object.fromEntries(Object.entries(req.query).filter(([k]) => SEARCH_PARAMS.has(k)));
      const params = raw as Params;
      if (!federation) {
        return void send(
          res,
          200,
          page('Catalog', searchPage(params, undefined), {
            ...(admin ? { admin } : {}),
            error: 'The federated catalog is not running in this process.',
          }),
        );
      }
      let result: SearchResult | undefined;
      let error: string | undefined;
      try {
        result = await federation.search.search(parseSearchQuery(raw), asker);
      } catch (e) {
        if (!(e instanceof HttpProblem)) throw e;
        error = `${e.detail} ${e.errors.map((x) => `${x.pointer}: ${x.reason}`).join('; ')}`;
      }
      send(
        res,
        error ? 400 : 200,
        page('Catalog', searchPage(params, result), {
          ...(admin ? { admin } : {}),
          ...(error ? { error } : {}),
        }),
      );
    }),
  );

  router.get(
    '/console/dataset',
    route(async (req, res) => {
      const admin = adminOf(req);
      const provider = typeof req.query.provider === 'string' ? req.query.provider : '';
      const id = typeof req.query.id === 'string' ? req.query.id : '';
      const asker: Asker = admin ? { kind: 'admin', name: admin } : { kind: 'anonymous' };
      const dataset =
        federation && provider && id ? await federation.search.dataset(provider, id, asker) : undefined;
      if (!dataset) {
        return void send(
          res,
          404,
          page('Not found', searchPage({}, undefined), {
            ...(admin ? { admin } : {}),
            error: 'No such dataset, or none you may see.',
          }),
        );
      }
      const product = products ? await products.registeredFor(provider, id) : undefined;
      send(
        res,
        200,
        page(dataset.title, datasetPage(dataset, admin !== undefined, product), admin ? { admin } : {}),
      );
    }),
  );

  router.get('/console/login', (req, res) => {
    const admin = adminOf(req);
    send(res, 200, page('Sign in', loginPage(), admin ? { admin } : {}));
  });
  router.post(
    '/console/login',
    form,
    route(async (req, res) => {
      const name = await service.adminKeyName(field(req, 'key'));
      if (!name)
        return void send(
          res,
          401,
          page('Sign in', loginPage(), { error: 'That is not a valid admin API key.' }),
        );
      const id = sessions.create(name);
      res.setHeader(
        'Set-Cookie',
        `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/console; Max-Age=28800`,
      );
      res.redirect(303, '/console/admin');
    }),
  );
  router.post('/console/logout', (req, res) => {
    sessions.end(cookieValue(req.headers.cookie, SESSION_COOKIE));
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/console; Max-Age=0`);
    res.redirect(303, '/console');
  });

  router.get(
    '/console/admin',
    route(async (req, res) => {
      const admin = adminOf(req);
      if (!admin) return void res.redirect(303, '/console/login');
      const [pending, pendingProducts, members, crawl, audit] = await Promise.all([
        service.listApplications({ state: 'pending' }),
        products ? products.list({ state: 'pending' }) : Promise.resolve([]),
        service.listMembers({ limit: 500 }),
        federation ? federation.crawlStatus() : Promise.resolve([]),
        service.auditLog({ limit: 15 }),
      ]);
      const flash = typeof req.query.flash === 'string' ? req.query.flash.slice(0, 500) : undefined;
      send(
        res,
        200,
        page('Administration', adminPage({ pending, pendingProducts, members, crawl, audit }), {
          admin,
          ...(flash ? { flash } : {}),
        }),
      );
    }),
  );

  router.post(
    '/console/admin/applications/approve',
    ...adminForm(async (req, admin) => {
      const grade = field(req, 'grade');
      const result = await service.approve(
        field(req, 'id'),
        `admin:${admin}`,
        grade ? { dataGradeClearance: grade as never } : {},
      );
      return `Approved ${result.member.organisationName}: ${result.credentials.length} credentials issued.`;
    }),
  );
  router.post(
    '/console/admin/applications/reject',
    ...adminForm(async (req, admin) => {
      const reason = field(req, 'reason');
      if (!reason) throw new HttpProblem(400, 'invalid-body', 'A rejection needs a reason.');
      const application = await service.reject(field(req, 'id'), `admin:${admin}`, reason);
      return `Rejected ${application.organisationName}.`;
    }),
  );
  for (const action of ['suspend', 'reinstate', 'revoke'] as const) {
    router.post(
      `/console/admin/members/${action}`,
      ...adminForm(async (req, admin) => {
        const did = field(req, 'did');
        const reason = field(req, 'reason');
        if (action !== 'reinstate' && !reason)
          throw new HttpProblem(400, 'invalid-body', `To ${action} a member, give a reason.`);
        const member =
          action === 'suspend'
            ? await service.suspend(did, `admin:${admin}`, reason)
            : action === 'revoke'
              ? await service.revoke(did, `admin:${admin}`, reason)
              : await service.reinstate(did, `admin:${admin}`);
        return `${member.organisationName} is now ${member.state}.`;
      }),
    );
  }
  router.get(
    '/console/products',
    route(async (req, res) => {
      const admin = adminOf(req);
      const registered = products ? await products.list({ state: 'registered', limit: 500 }) : [];
      send(res, 200, page('Registered data products', productsPage(registered), admin ? { admin } : {}));
    }),
  );
  router.post(
    '/console/admin/products/approve',
    ...adminForm(async (req, admin) => {
      if (!products) throw new HttpProblem(409, 'no-registry', 'The product registry is not running.');
      const note = field(req, 'note');
      const record = await products.register(field(req, 'id'), `admin:${admin}`, note || undefined);
      return `Registered ${record.description.name.zh} / ${record.description.name.en} as ${record.productId ?? '?'}.`;
    }),
  );
  router.post(
    '/console/admin/products/reject',
    ...adminForm(async (req, admin) => {
      if (!products) throw new HttpProblem(409, 'no-registry', 'The product registry is not running.');
      const reason = field(req, 'reason');
      if (!reason) throw new HttpProblem(400, 'invalid-body', 'A rejection needs a reason.');
      const record = await products.reject(field(req, 'id'), `admin:${admin}`, reason);
      return `Rejected the product ${record.description.name.en}: ${reason}`;
    }),
  );
  router.post(
    '/console/admin/crawl',
    ...adminForm(async () => {
      if (!federation) throw new HttpProblem(409, 'no-catalog', 'The federated catalog is not running.');
      const summary = await federation.crawlNow();
      return `Crawl finished: ${summary.providers} members, ${summary.datasets.added} datasets added, ${summary.datasets.updated} updated, ${summary.failed} unreachable.`;
    }),
  );
  return router;
}
