// The participant console: server-rendered pages below /console on the management router, signed in
// with the management API key (or an operator account from connector.json "console.accounts"), calling
// the connector's own services in-process. Pages: Discover, Contracts, Transfers, Publish, Data products,
// Evidence, Membership (applications and the wallet).
// The layout, languages, sessions, CSRF tokens and sign-in throttle are the shared kit's (kit/).
import { scryptSync, timingSafeEqual } from 'node:crypto';
import type { Router } from 'express';
import { dataFile, readConfigFile } from '../process/config.js';
import { CONNECTOR_CONFIG_FILE } from '../process/connector.js';
import { ConsoleApp, field, type ParticipantServices } from './app.js';
import { contractPages } from './contracts.js';
import { discoverPages } from './discover.js';
import { evidencePages } from './evidence.js';
import {
  createConsoleKit,
  csrfField,
  html,
  throttledSignIn,
  type ConsoleContext,
  type ConsoleKit,
  type Html,
} from './kit/index.js';
import { membershipPages } from './membership.js';
import { productPages } from './products.js';
import { publishPages } from './publish.js';
import { transferPages } from './transfers.js';

export const CONSOLE_PATH = '/console';

/** An operator account: `{ "name": "wang", "scrypt": "<salt hex>:<hash hex>" }` (see docs). */
export interface ConsoleAccount {
  readonly name: string;
  readonly scrypt: string;
}

export interface ParticipantConsoleOptions extends ParticipantServices {
  readonly managementApiKey: string;
  /** Overrides the kit (tests: a throttle with a clock). */
  readonly kit?: ConsoleKit;
}

export function participantConsole(options: ParticipantConsoleOptions): Router {
  const kit =
    options.kit ??
    createConsoleKit({
      base: CONSOLE_PATH,
      title: 'participant console',
      nav: (signedIn) =>
        signedIn
          ? [
              { href: `${CONSOLE_PATH}/discover`, label: 'Discover' },
              { href: `${CONSOLE_PATH}/contracts`, label: 'Contracts' },
              { href: `${CONSOLE_PATH}/transfers`, label: 'Transfers' },
              { href: `${CONSOLE_PATH}/publish`, label: 'Publish' },
              { href: `${CONSOLE_PATH}/products`, label: 'Data products' },
              { href: `${CONSOLE_PATH}/evidence`, label: 'Evidence' },
              { href: `${CONSOLE_PATH}/membership`, label: 'Membership' },
            ]
          : [],
    });
  const app = new ConsoleApp(kit, options);
  const accounts = () => consoleAccounts(options.connector.dataDir);
  app.router.use(kit.routes);

  app.router.get(CONSOLE_PATH, (req, res) => {
    const ctx = kit.context(req, res);
    res.redirect(303, ctx.user ? `${CONSOLE_PATH}/discover` : `${CONSOLE_PATH}/login`);
  });
  app.router.get(`${CONSOLE_PATH}/login`, (req, res) => {
    const ctx = kit.context(req, res);
    kit.send(
      res,
      200,
      ctx,
      ctx.t('Sign in'),
      loginPage(ctx, kit.safeNext(req.query.next), accounts().length > 0),
    );
  });
  app.router.post(`${CONSOLE_PATH}/login`, app.form, kit.guard, async (req, res) => {
    const ctx = kit.context(req, res);
    const name = field(req, 'name');
    const secret = field(req, 'key');
    const next = kit.safeNext(field(req, 'next'));
    const outcome = await throttledSignIn(kit, req, res, name || undefined, async () => {
      if (name) {
        const account = accounts().find((a) => a.name === name);
        return account && passwordMatches(account, secret) ? account.name : undefined;
      }
      return sameSecret(secret, options.managementApiKey) ? 'operator' : undefined;
    });
    if (outcome === 'signed-in')
      return void res.redirect(303, next === CONSOLE_PATH ? `${CONSOLE_PATH}/discover` : next);
    const error =
      outcome === 'throttled'
        ? ctx.t('Too many failed sign-ins: wait {s} seconds and try again.', {
            s: String(res.getHeader('Retry-After')),
          })
        : ctx.t('That key or password is not valid.');
    kit.send(
      res,
      outcome === 'throttled' ? 429 : 401,
      ctx,
      ctx.t('Sign in'),
      loginPage(ctx, next, accounts().length > 0),
      {
        error,
      },
    );
  });
  app.router.post(`${CONSOLE_PATH}/logout`, app.form, kit.guard, (req, res) => {
    kit.signOut(req, res);
    res.redirect(303, `${CONSOLE_PATH}/login`);
  });

  discoverPages(app);
  contractPages(app);
  transferPages(app);
  publishPages(app);
  productPages(app);
  evidencePages(app);
  membershipPages(app);
  return app.router;
}

function loginPage(ctx: ConsoleContext, next: string, withAccounts: boolean): Html {
  const { t } = ctx;
  return html`<h1>${t('Sign in to the participant console')}</h1>
    <form method="post" action="${ctx.base}/login" class="stack" id="login">
      ${csrfField(ctx)}<input type="hidden" name="next" value="${next}" />
      ${
        withAccounts
          ? html`<label
              >${t('Account')}
              <span class="meta">${t('leave empty to sign in with the management API key')}</span>
              <input name="name" autocomplete="username"
            /></label>`
          : ''
      }
      <label
        >${withAccounts ? t('Password or management API key') : t('Management API key')}
        <input type="password" name="key" autocomplete="current-password" required
      /></label>
      <div><button>${t('Sign in')}</button></div>
    </form>
    <p class="meta">${t('The key is in the connector’s management-api-key file.')}</p>`;
}

function consoleAccounts(dataDir: string): readonly ConsoleAccount[] {
  const config = readConfigFile<{ console?: { accounts?: unknown } }>(
    dataFile(dataDir, CONNECTOR_CONFIG_FILE),
  );
  const list = config?.console?.accounts;
  return Array.isArray(list)
    ? list.filter(
        (a): a is ConsoleAccount =>
          a !== null && typeof a === 'object' && typeof a.name === 'string' && typeof a.scrypt === 'string',
      )
    : [];
}

/** scrypt (N=16384, r=8, p=1, 32 bytes) of the password with the account's salt. */
export function hashConsolePassword(password: string, salt: string): string {
  return `${salt}:${scryptSync(password, Buffer.from(salt, 'hex'), 32).toString('hex')}`;
}

function passwordMatches(account: ConsoleAccount, password: string): boolean {
  const [salt = '', hash = ''] = account.scrypt.split(':');
  if (!/^[0-9a-f]{16,}$/.test(salt) || !/^[0-9a-f]{64}$/.test(hash)) return false;
  const given = scryptSync(password, Buffer.from(salt, 'hex'), 32);
  return timingSafeEqual(given, Buffer.from(hash, 'hex'));
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
