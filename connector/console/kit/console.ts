// What both consoles (the authority's and each connector's) share: the page layout with the language
// switch, the security headers, sessions with their CSRF token, the check every POST passes, and
// throttled sign-in. A console is a Router below `base` (e.g. /console) built with `createConsoleKit`.
//
// Every POST must carry the form's CSRF token (the `_csrf` field, or X-CSRF-Token for the page script):
// the session's token when signed in, else the anonymous token bound to the `shuyu_csrf` cookie. A POST
// whose Origin (or, without Origin, Referer) names another site is refused as well. Refusals are 403
// pages that change nothing.
import { zonedParts } from '../../../catalog/federation/summary/words.js';
import { timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { html, trusted, type Html } from './html.js';
import { languageOf, LANG_COOKIE, translator, type Lang, type Phrase, type Translate } from './i18n.js';
import { ConsoleSessions, cookieValue, randomToken, type Session } from './sessions.js';
import { SCRIPT, STYLE } from './style.js';
import { SignInThrottle } from './throttle.js';

export const SESSION_COOKIE = 'shuyu_console';
export const CSRF_COOKIE = 'shuyu_csrf';
/** Set by the page script: the viewer's time zone, for times the server writes into sentences. */
export const TIME_ZONE_COOKIE = 'shuyu_tz';

export interface NavItem {
  readonly href: string;
  readonly label: Phrase;
}

/** What a page is rendered with. */
export interface ConsoleContext {
  readonly lang: Lang;
  readonly t: Translate;
  /** Who is signed in. */
  readonly user?: string;
  /** The token every form sends back. */
  readonly csrf: string;
  readonly base: string;
  /** The request's path below the site, for the language links. */
  readonly path: string;
  /** The viewer's IANA time zone, as the page script reports it (`shuyu_tz` cookie), once known. */
  readonly timeZone?: string;
}

export interface PageOptions {
  readonly flash?: string;
  readonly error?: string;
}

export interface ConsoleKitOptions {
  /** Where the console is mounted, e.g. "/console". */
  readonly base: string;
  /** The brand's second word, e.g. "authority" or the connector's name. */
  readonly title: Phrase;
  readonly nav: (signedIn: boolean) => readonly NavItem[];
  readonly sessions?: ConsoleSessions;
  readonly throttle?: SignInThrottle;
}

export interface ConsoleKit {
  readonly base: string;
  readonly sessions: ConsoleSessions;
  readonly throttle: SignInThrottle;
  /** The page script and the language switch; mount first. */
  readonly routes: Router;
  context(req: Request, res: Response): ConsoleContext;
  session(req: Request): Session | undefined;
  /** A whole page, with the security headers. */
  send(
    res: Response,
    status: number,
    ctx: ConsoleContext,
    title: string,
    body: Html,
    options?: PageOptions,
  ): void;
  /** Before every POST handler (after the body parser): token and origin, else 403. */
  readonly guard: RequestHandler;
  /** Starts a fresh session for `subject` (any earlier one ends) and sets its cookie. */
  signIn(req: Request, res: Response, subject: string): void;
  signOut(req: Request, res: Response): void;
  /** A local console path to go to after sign-in, else the base (never another site). */
  safeNext(value: unknown): string;
  /** The throttle's keys for a sign-in from this request as `account`. */
  throttleKeys(req: Request, account?: string): string[];
  /** A one-time notice for the next page this browser shows (after a form's redirect). */
  notify(ctx: ConsoleContext, notice: PageOptions): void;
  takeNotice(ctx: ConsoleContext): PageOptions;
}

export function createConsoleKit(options: ConsoleKitOptions): ConsoleKit {
  const base = options.base;
  const sessions = options.sessions ?? new ConsoleSessions();
  const throttle = options.throttle ?? new SignInThrottle();
  const cookieFlags = (req: Request) =>
    `HttpOnly; SameSite=Strict; Path=${base}${req.secure ? '; Secure' : ''}`;

  const session = (req: Request) => sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE));

  const anonymousToken = (req: Request, res: Response): string => {
    const existing = cookieValue(req.headers.cookie, CSRF_COOKIE);
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = randomToken();
    res.append('Set-Cookie', `${CSRF_COOKIE}=${token}; ${cookieFlags(req)}; Max-Age=86400`);
    return token;
  };

  const context = (req: Request, res: Response): ConsoleContext => {
    const lang = languageOf(req);
    const current = session(req);
    const timeZone = viewerTimeZone(req);
    return {
      lang,
      ...(timeZone ? { timeZone } : {}),
      t: translator(lang),
      ...(current ? { user: current.subject } : {}),
      csrf: current ? current.csrf : anonymousToken(req, res),
      base,
      path: req.originalUrl.split('?')[0] ?? base,
    };
  };

  const headers = (res: Response): void => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
  };

  const send: ConsoleKit['send'] = (res, status, ctx, title, body, pageOptions = {}) => {
    headers(res);
    res
      .status(status)
      .type('html')
      .send(layout(options, ctx, title, body, pageOptions).text);
  };

  const refuse = (req: Request, res: Response, reason: Phrase): void => {
    const ctx = context(req, res);
    send(
      res,
      403,
      ctx,
      ctx.t('Refused'),
      html`<h1>${ctx.t('Refused')}</h1>
        <p>${ctx.t(reason)}</p>`,
    );
  };

  const guard: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const own = `${req.protocol}://${req.headers.host ?? ''}`;
    const origin = req.headers.origin;
    const referer = req.headers.referer;
    const foreign =
      origin !== undefined
        ? origin !== own
        : referer !== undefined && referer !== own && !referer.startsWith(`${own}/`);
    if (foreign)
      return void refuse(req, res, 'Cross-site form refused: submit the form from the console itself.');
    const current = session(req);
    const expected = current ? current.csrf : cookieValue(req.headers.cookie, CSRF_COOKIE);
    const body = req.body as Record<string, unknown> | undefined;
    const given = typeof body?._csrf === 'string' ? body._csrf : req.headers['x-csrf-token'];
    if (!expected || typeof given !== 'string' || !sameText(expected, given)) {
      return void refuse(
        req,
        res,
        'The form has expired or did not come from this console: reload the page and try again.',
      );
    }
    next();
  };

  const routes = Router();
  routes.get(`${base}/console.js`, (_req, res) => {
    res.setHeader('Cache-Control', 'max-age=3600');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type('application/javascript').send(SCRIPT);
  });
  // The language switch: a cookie, then back to the same console page.
  routes.get(`${base}/lang`, (req, res) => {
    const to = req.query.to === 'zh-CN' ? 'zh-CN' : 'en';
    res.append('Set-Cookie', `${LANG_COOKIE}=${to}; SameSite=Lax; Path=${base}; Max-Age=31536000`);
    res.redirect(303, safeNext(req.query.back));
  });

  const safeNext = (value: unknown): string =>
    typeof value === 'string' &&
    (value === base || value.startsWith(`${base}/`) || value.startsWith(`${base}?`)) &&
    !/[\\\s]/.test(value) &&
    !value.includes('//') &&
    !value.split(/[?#]/)[0]!.split('/').includes('..')
      ? value
      : base;

  // Notices wait for the browser's next page, keyed by its CSRF token (never put in a URL).
  const notices = new Map<string, PageOptions>();
  return {
    notify(ctx, notice) {
      notices.delete(ctx.csrf);
      notices.set(ctx.csrf, notice);
      while (notices.size > 1000) {
        const first = notices.keys().next().value;
        if (first === undefined) break;
        notices.delete(first);
      }
    },
    takeNotice(ctx) {
      const notice = notices.get(ctx.csrf) ?? {};
      notices.delete(ctx.csrf);
      return notice;
    },
    base,
    sessions,
    throttle,
    routes,
    context,
    session,
    send,
    guard,
    safeNext,
    signIn(req, res, subject) {
      sessions.end(cookieValue(req.headers.cookie, SESSION_COOKIE));
      const id = sessions.create(subject);
      res.append('Set-Cookie', `${SESSION_COOKIE}=${id}; ${cookieFlags(req)}; Max-Age=28800`);
    },
    signOut(req, res) {
      sessions.end(cookieValue(req.headers.cookie, SESSION_COOKIE));
      res.append('Set-Cookie', `${SESSION_COOKIE}=; ${cookieFlags(req)}; Max-Age=0`);
    },
    throttleKeys(req, account) {
      return [`address:${req.socket.remoteAddress ?? '?'}`, ...(account ? [`account:${account}`] : [])];
    },
  };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The hidden field every form carries. */
/** The zone the page script stored in the `shuyu_tz` cookie, when it names a zone Intl knows. */
function viewerTimeZone(req: Request): string | undefined {
  const raw = cookieValue(req.headers.cookie, TIME_ZONE_COOKIE);
  try {
    const zone = decodeURIComponent(raw ?? '');
    if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(zone)) return undefined;
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

export function csrfField(ctx: ConsoleContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}" />`;
}

/** A time in the viewer's zone: UTC text for readers without script, the page script localises it. */
export function timeTag(iso: string | null | undefined): Html {
  if (!iso) return html``;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return html`${iso}`;
  const text = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${date.toISOString()}">${text}</time>`;
}

/** A time in the viewer's zone written by the server once the page script has reported the zone ("2026-12-31 23:59 (+08:00)"). */
export function zonedTimeTag(ctx: ConsoleContext, iso: string): Html {
  const date = new Date(iso);
  if (ctx.timeZone === undefined || Number.isNaN(date.getTime())) return timeTag(iso);
  const p = zonedParts(date.getTime(), ctx.timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  const text = `${p.year}-${pad(p.month)}-${pad(p.day)} ${p.hour}:${p.minute} (${p.offset})`;
  return html`<time datetime="${date.toISOString()}">${text}</time>`;
}

function layout(
  options: ConsoleKitOptions,
  ctx: ConsoleContext,
  title: string,
  body: Html,
  page: PageOptions,
): Html {
  const { t, base } = ctx;
  const other = ctx.lang === 'zh-CN' ? 'en' : 'zh-CN';
  const nav = options.nav(ctx.user !== undefined);
  return html`<!doctype html>
    <html lang="${ctx.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${title} · ${t('Shuyu')}</title>
        <style>
          ${trusted(STYLE)}
        </style>
        <script src="${base}/console.js" defer></script>
      </head>
      <body>
        <header>
          <a class="brand" href="${base}">数语 Shuyu · ${t(options.title)}</a>
          <nav aria-label="${t('Main')}">
            ${nav.map(
              (item) =>
                html`<a href="${item.href}" class="${ctx.path === item.href ? 'on' : ''}"
                  >${t(item.label)}</a
                >`,
            )}
          </nav>
          <div class="who">
            <a
              href="${base}/lang?to=${other}&amp;back=${encodeURIComponent(ctx.path)}"
              lang="${other}"
              id="lang-switch"
              >${other === 'zh-CN' ? '中文' : 'English'}</a
            >
            ${
              ctx.user
                ? html`<span>${t('Signed in as {name}', { name: ctx.user })}</span>
                    <form method="post" action="${base}/logout" class="inline">
                      ${csrfField(ctx)}<button>${t('Sign out')}</button>
                    </form>`
                : html`<a href="${base}/login">${t('Sign in')}</a>`
            }
          </div>
        </header>
        <main>
          ${page.flash ? html`<div class="flash" role="status">${page.flash}</div>` : ''}
          ${page.error ? html`<div class="error" role="alert">${page.error}</div>` : ''} ${body}
        </main>
      </body>
    </html>`;
}

export type SignInOutcome = 'signed-in' | 'wrong' | 'throttled';

/**
 * One sign-in attempt through the kit's throttle: while the address or the account waits, the secret is
 * not even checked (429 with Retry-After is for the caller to send).
 */
export async function throttledSignIn(
  kit: ConsoleKit,
  req: Request,
  res: Response,
  account: string | undefined,
  verify: () => Promise<string | undefined>,
): Promise<SignInOutcome> {
  const keys = kit.throttleKeys(req, account);
  const wait = kit.throttle.retryAfter(keys);
  if (wait > 0) {
    res.setHeader('Retry-After', String(wait));
    return 'throttled';
  }
  const subject = await verify();
  if (subject === undefined) {
    kit.throttle.failure(keys);
    return 'wrong';
  }
  kit.throttle.success(kit.throttleKeys(req, account).slice(1));
  kit.signIn(req, res, subject);
  return 'signed-in';
}
