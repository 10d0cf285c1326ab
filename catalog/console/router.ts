// The web console, served by the authority/catalog process under /console: search with facets and
// dataset detail for everyone (anonymous visitors see what is open to anyone, signed-in admins see all),
// and for admins the applications queue, members with suspension and revocation (after a confirmation
// page), and crawl status. Plain server-rendered pages and forms on the shared console kit
// (connector/console/kit): both languages, the CSRF token and origin check on every POST, throttled
// sign-in.
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import {
  createConsoleKit,
  problemText,
  stateName,
  throttledSignIn,
  type ConsoleContext,
  type ConsoleKit,
  type ConsoleSessions,
} from '../../connector/console/kit/index.js';
import { HttpProblem } from '../../connector/http/problem.js';
import type { ProductRegistry } from '../authority/products/service.js';
import type { AuthorityService } from '../authority/service.js';
import type { Federation } from '../federation/federation.js';
import { parseSearchQuery, SEARCH_PARAMETERS } from '../federation/search/query.js';
import type { Asker, SearchResult } from '../federation/types.js';
import {
  adminPage,
  datasetPage,
  loginPage,
  productsPage,
  revokeConfirmPage,
  searchPage,
  type Params,
} from './views.js';

export interface ConsoleOptions {
  readonly service: AuthorityService;
  /** The federated catalog; without it the search pages say the catalog is not running. */
  readonly federation?: Federation;
  readonly sessions?: ConsoleSessions;
  /** The data-product registry: its review queue, the registered products, descriptions on dataset pages. */
  readonly products?: ProductRegistry;
  /** Overrides the kit (tests). */
  readonly kit?: ConsoleKit;
}

type Handler = (req: Request, res: Response) => Promise<void>;

const SEARCH_PARAMS: ReadonlySet<string> = new Set(SEARCH_PARAMETERS);

export function consoleRouter(options: ConsoleOptions): Router {
  const router = Router();
  const kit =
    options.kit ??
    createConsoleKit({
      base: '/console',
      title: 'authority console',
      ...(options.sessions ? { sessions: options.sessions } : {}),
      nav: (signedIn) => [
        { href: '/console', label: 'Catalog' },
        { href: '/console/products', label: 'Data products' },
        ...(signedIn ? [{ href: '/console/admin', label: 'Administration' } as const] : []),
      ],
    });
  const { service, federation, products } = options;
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  router.use(kit.routes);

  const route = (handler: Handler): RequestHandler => handler as RequestHandler;

  /** A state-changing form: token and origin checked, signed in; answers with a notice on the admin page. */
  const adminForm = (
    action: (req: Request, admin: string, ctx: ConsoleContext, res: Response) => Promise<string | undefined>,
  ): RequestHandler[] => [
    form,
    kit.guard,
    route(async (req, res) => {
      const ctx = kit.context(req, res);
      if (!ctx.user) return void res.redirect(303, '/console/login');
      let flash: string | undefined;
      try {
        flash = await action(req, ctx.user, ctx, res);
      } catch (error) {
        if (!(error instanceof HttpProblem)) throw error;
        kit.notify(ctx, { error: `${ctx.t('Refused')}: ${problemText(ctx, error)}` });
        return void res.redirect(303, '/console/admin');
      }
      if (flash === undefined) return; // the action answered itself
      kit.notify(ctx, { flash });
      res.redirect(303, '/console/admin');
    }),
  ];
  const field = (req: Request, name: string): string => {
    const value = (req.body as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value.trim() : '';
  };

  router.get(
    '/console',
    route(async (req, res) => {
      const ctx = kit.context(req, res);
      const asker: Asker = ctx.user ? { kind: 'admin', name: ctx.user } : { kind: 'anonymous' };
      const raw = Object.fromEntries(Object.entries(req.query).filter(([k]) => SEARCH_PARAMS.has(k)));
      const params = raw as Params;
      if (!federation) {
        return void kit.send(res, 200, ctx, ctx.t('Catalog'), searchPage(ctx, params, undefined), {
          error: ctx.t('The federated catalog is not running in this process.'),
        });
      }
      let result: SearchResult | undefined;
      let error: string | undefined;
      try {
        result = await federation.search.search(parseSearchQuery(raw), asker);
      } catch (e) {
        if (!(e instanceof HttpProblem)) throw e;
        error = problemText(ctx, e);
      }
      kit.send(res, error ? 400 : 200, ctx, ctx.t('Catalog'), searchPage(ctx, params, result), {
        ...(error ? { error } : {}),
      });
    }),
  );

  router.get(
    '/console/dataset',
    route(async (req, res) => {
      const ctx = kit.context(req, res);
      const provider = typeof req.query.provider === 'string' ? req.query.provider : '';
      const id = typeof req.query.id === 'string' ? req.query.id : '';
      const asker: Asker = ctx.user ? { kind: 'admin', name: ctx.user } : { kind: 'anonymous' };
      const dataset =
        federation && provider && id ? await federation.search.dataset(provider, id, asker) : undefined;
      if (!dataset) {
        return void kit.send(res, 404, ctx, ctx.t('Not found'), searchPage(ctx, {}, undefined), {
          error: ctx.t('No such dataset, or none you may see.'),
        });
      }
      const product = products ? await products.registeredFor(provider, id) : undefined;
      kit.send(res, 200, ctx, dataset.title, datasetPage(ctx, dataset, ctx.user !== undefined, product));
    }),
  );

  router.get('/console/login', (req, res) => {
    const ctx = kit.context(req, res);
    kit.send(res, 200, ctx, ctx.t('Sign in'), loginPage(ctx));
  });
  router.post(
    '/console/login',
    form,
    kit.guard,
    route(async (req, res) => {
      const ctx = kit.context(req, res);
      const outcome = await throttledSignIn(kit, req, res, undefined, () =>
        service.adminKeyName(field(req, 'key')),
      );
      if (outcome === 'signed-in') return void res.redirect(303, '/console/admin');
      const error =
        outcome === 'throttled'
          ? ctx.t('Too many failed sign-ins: wait {s} seconds and try again.', {
              s: String(res.getHeader('Retry-After')),
            })
          : ctx.t('That is not a valid admin API key.');
      kit.send(res, outcome === 'throttled' ? 429 : 401, ctx, ctx.t('Sign in'), loginPage(ctx), { error });
    }),
  );
  router.post('/console/logout', form, kit.guard, (req, res) => {
    kit.signOut(req, res);
    res.redirect(303, '/console');
  });

  router.get(
    '/console/admin',
    route(async (req, res) => {
      const ctx = kit.context(req, res);
      if (!ctx.user) return void res.redirect(303, '/console/login');
      const [pending, pendingProducts, members, crawl, audit] = await Promise.all([
        service.listApplications({ state: 'pending' }),
        products ? products.list({ state: 'pending' }) : Promise.resolve([]),
        service.listMembers({ limit: 500 }),
        federation ? federation.crawlStatus() : Promise.resolve([]),
        service.auditLog({ limit: 15 }),
      ]);
      kit.send(
        res,
        200,
        ctx,
        ctx.t('Administration'),
        adminPage(ctx, { pending, pendingProducts, members, crawl, audit }),
        kit.takeNotice(ctx),
      );
    }),
  );

  router.post(
    '/console/admin/applications/approve',
    ...adminForm(async (req, admin, ctx) => {
      const grade = field(req, 'grade');
      const result = await service.approve(
        field(req, 'id'),
        `admin:${admin}`,
        grade ? { dataGradeClearance: grade as never } : {},
      );
      return ctx.t('Approved {name}: {n} credentials issued.', {
        name: result.member.organisationName,
        n: result.credentials.length,
      });
    }),
  );
  router.post(
    '/console/admin/applications/reject',
    ...adminForm(async (req, admin, ctx) => {
      const reason = field(req, 'reason');
      if (!reason) throw new HttpProblem(400, 'invalid-body', ctx.t('A rejection needs a reason.'));
      const application = await service.reject(field(req, 'id'), `admin:${admin}`, reason);
      return ctx.t('Rejected {name}.', { name: application.organisationName });
    }),
  );
  for (const action of ['suspend', 'reinstate', 'revoke'] as const) {
    router.post(
      `/console/admin/members/${action}`,
      ...adminForm(async (req, admin, ctx, res) => {
        const did = field(req, 'did');
        const reason = field(req, 'reason');
        if (action !== 'reinstate' && !reason)
          throw new HttpProblem(400, 'invalid-body', ctx.t('Give a reason.'));
        if (action === 'revoke' && field(req, 'confirm') !== 'yes') {
          // Revocation is permanent: ask first, on a page of its own.
          const member = await service.member(did);
          if (!member) throw new HttpProblem(404, 'member-not-found', ctx.t('No such member.'));
          kit.send(res, 200, ctx, ctx.t('Revoke'), revokeConfirmPage(ctx, member, reason));
          return undefined;
        }
        const member =
          action === 'suspend'
            ? await service.suspend(did, `admin:${admin}`, reason)
            : action === 'revoke'
              ? await service.revoke(did, `admin:${admin}`, reason)
              : await service.reinstate(did, `admin:${admin}`);
        return ctx.t('{name} is now {state}.', {
          name: member.organisationName,
          state: stateName(ctx, member.state),
        });
      }),
    );
  }
  router.get(
    '/console/products',
    route(async (req, res) => {
      const ctx = kit.context(req, res);
      const registered = products ? await products.list({ state: 'registered', limit: 500 }) : [];
      kit.send(res, 200, ctx, ctx.t('Data products'), productsPage(registered));
    }),
  );
  router.post(
    '/console/admin/products/approve',
    ...adminForm(async (req, admin, ctx) => {
      if (!products) throw new HttpProblem(409, 'no-registry', ctx.t('The product registry is not running.'));
      const note = field(req, 'note');
      const record = await products.register(field(req, 'id'), `admin:${admin}`, note || undefined);
      return ctx.t('Registered {name} as {id}.', {
        name: `${record.description.name.zh} / ${record.description.name.en}`,
        id: record.productId ?? '?',
      });
    }),
  );
  router.post(
    '/console/admin/products/reject',
    ...adminForm(async (req, admin, ctx) => {
      if (!products) throw new HttpProblem(409, 'no-registry', ctx.t('The product registry is not running.'));
      const reason = field(req, 'reason');
      if (!reason) throw new HttpProblem(400, 'invalid-body', ctx.t('A rejection needs a reason.'));
      const record = await products.reject(field(req, 'id'), `admin:${admin}`, reason);
      return `${ctx.t('Rejected {name}.', { name: record.description.name.en })} ${reason}`;
    }),
  );
  router.post(
    '/console/admin/crawl',
    ...adminForm(async (_req, _admin, ctx) => {
      if (!federation)
        throw new HttpProblem(409, 'no-catalog', ctx.t('The federated catalog is not running.'));
      const summary = await federation.crawlNow();
      return ctx.t(
        'Crawl finished: {members} members, {added} datasets added, {updated} updated, {failed} unreachable.',
        {
          members: summary.providers,
          added: summary.datasets.added,
          updated: summary.datasets.updated,
          failed: summary.failed,
        },
      );
    }),
  );
  return router;
}
