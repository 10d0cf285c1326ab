// Attack catalogue: the web consoles (the participant console of a connector and the authority's
// console). One test per scenario: cross-site request forgery (no token, a wrong token, a foreign Origin
// or Referer, no Origin at all), session fixation, script in names and titles, brute-forced sign-in,
// open redirects, framing, cookie flags. Real processes on 127.0.0.1; every refused request is also
// shown to have changed nothing.
import { expect } from 'chai';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  bankApplication,
  hospitalApplication,
  startLocalDataSpace,
  type LocalDataSpace,
} from '../authority/helpers.js';
import { startMember } from '../dsp/helpers.js';
import { hashConsolePassword } from '../../connector/console/index.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Answer {
  readonly status: number;
  readonly location: string | null;
  readonly cookies: readonly string[];
  readonly headers: Headers;
  readonly text: string;
}

async function send(url: string, init: RequestInit & { cookie?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set('cookie', init.cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  return {
    status: response.status,
    location: response.headers.get('location'),
    cookies: response.headers.getSetCookie(),
    headers: response.headers,
    text: await response.text(),
  };
}

function cookieOf(answer: Answer, name: string): string | undefined {
  const line = answer.cookies.find((c) => c.startsWith(`${name}=`));
  return line?.split(';')[0];
}

/** Where a connector's console is: its management listener. */
const site = (connector: ControlPlaneConnector): string => new URL(connector.consoleUrl).origin;

function tokenIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token in the page');
  return token;
}

/** A browser's session in a console: its cookies and the token its pages carry. */
interface Browser {
  readonly origin: string;
  readonly cookie: string;
  readonly token: string;
}

async function signIn(origin: string, key: string): Promise<Browser> {
  const login = await send(`${origin}/console/login`);
  const anonymous = cookieOf(login, 'shuyu_csrf') ?? '';
  const answer = await send(`${origin}/console/login`, {
    method: 'POST',
    cookie: anonymous,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams({ _csrf: tokenIn(login.text), key }).toString(),
  });
  expect(answer.status, answer.text).to.equal(303);
  const session = cookieOf(answer, 'shuyu_console');
  expect(session).to.be.a('string');
  const cookie = `${anonymous}; ${session}`;
  const page = await send(`${origin}/console/login`, { cookie });
  return { origin, cookie, token: tokenIn(page.text) };
}

function post(
  browser: Browser,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = { origin: browser.origin },
): Promise<Answer> {
  return send(`${browser.origin}${path}`, {
    method: 'POST',
    cookie: browser.cookie,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('attacks: the consoles', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let member: ControlPlaneConnector;
  let bank: ControlPlaneConnector;
  let admin: Browser;
  let operator: Browser;

  const memberState = async (did: string) => (await space.authority.service.member(did))?.state;
  const offers = async () => (await member.controlPlane.assets.listOffers()).map((o) => o.id);

  before(async () => {
    space = await startLocalDataSpace();
    member = await startMember(space, 'hospital', hospitalApplication());
    bank = await startMember(
      space,
      'bank',
      bankApplication({ organisationName: 'Bank <img src=x onerror=alert(1)> "&" Co' }),
    );
    admin = await signIn(space.authority.admin.url, space.adminKey);
    operator = await signIn(site(member), member.managementApiKey);
  });

  after(async () => {
    await space?.close();
  });

  const OFFER = {
    id: 'forged',
    assets: 'urn:dataset:none',
    access: 'members',
    policy: '{"permission":[{"action":"use"}]}',
  };

  it('refuses a form without a CSRF token (403) and changes nothing', async () => {
    const answer = await post(admin, '/console/admin/members/suspend', { did: member.did, reason: 'forged' });
    expect(answer.status).to.equal(403);
    expect(await memberState(member.did)).to.equal('active');
    const participant = await post(operator, '/console/publish/offers', OFFER);
    expect(participant.status).to.equal(403);
    expect(await offers()).to.not.include('forged');
  });

  it('refuses a form with a wrong CSRF token (403) and changes nothing', async () => {
    const answer = await post(admin, '/console/admin/members/suspend', {
      _csrf: `${admin.token.slice(0, -2)}xx`,
      did: member.did,
      reason: 'forged',
    });
    expect(answer.status).to.equal(403);
    expect(await memberState(member.did)).to.equal('active');
    // Another session's token is as wrong as a made-up one.
    const other = await signIn(site(member), member.managementApiKey);
    const participant = await post(operator, '/console/publish/offers', { ...OFFER, _csrf: other.token });
    expect(participant.status).to.equal(403);
    expect(await offers()).to.not.include('forged');
  });

  it('refuses a form from a foreign Origin even with a valid token (403)', async () => {
    const answer = await post(
      admin,
      '/console/admin/members/suspend',
      { _csrf: admin.token, did: member.did, reason: 'forged' },
      { origin: 'https://evil.example' },
    );
    expect(answer.status).to.equal(403);
    expect(await memberState(member.did)).to.equal('active');
    const participant = await post(
      operator,
      '/console/publish/offers',
      { ...OFFER, _csrf: operator.token },
      {
        origin: 'http://127.0.0.1:1',
      },
    );
    expect(participant.status).to.equal(403);
    expect(await offers()).to.not.include('forged');
  });

  it('refuses a form without Origin unless it carries the token; a foreign Referer is refused too', async () => {
    // The attack run's finding: no Origin header, a valid session cookie, and a member was reinstated.
    await space.authority.service.suspend(bank.did, 'admin:test', 'audit');
    const bare = await post(admin, '/console/admin/members/reinstate', { did: bank.did }, {});
    expect(bare.status).to.equal(403);
    expect(await memberState(bank.did)).to.equal('suspended');
    const referred = await post(
      admin,
      '/console/admin/members/reinstate',
      { _csrf: admin.token, did: bank.did },
      { referer: 'https://evil.example/page' },
    );
    expect(referred.status).to.equal(403);
    expect(await memberState(bank.did)).to.equal('suspended');
    // The same form with its token (a browser that sends no Origin) goes through.
    const good = await post(
      admin,
      '/console/admin/members/reinstate',
      { _csrf: admin.token, did: bank.did },
      {},
    );
    expect(good.status).to.equal(303);
    expect(await memberState(bank.did)).to.equal('active');
  });

  it('refuses the page script’s JSON call without the token header', async () => {
    const answer = await send(`${site(member)}/console/publish/policy-check`, {
      method: 'POST',
      cookie: operator.cookie,
      headers: { 'content-type': 'application/json', origin: site(member) },
      body: JSON.stringify({ policy: { permission: [{ action: 'use' }] } }),
    });
    expect(answer.status).to.equal(403);
    const allowed = await send(`${site(member)}/console/publish/policy-check`, {
      method: 'POST',
      cookie: operator.cookie,
      headers: { 'content-type': 'application/json', origin: site(member), 'x-csrf-token': operator.token },
      body: JSON.stringify({ policy: { permission: [{ action: 'use' }] } }),
    });
    expect(allowed.status).to.equal(200);
  });

  it('never adopts a session id planted before sign-in (session fixation)', async () => {
    for (const [origin, key] of [
      [site(member), member.managementApiKey],
      [space.authority.admin.url, space.adminKey],
    ] as const) {
      const planted = 'shuyu_console=attacker-chosen-session-id-0000000000000000000';
      const login = await send(`${origin}/console/login`, { cookie: planted });
      const csrf = cookieOf(login, 'shuyu_csrf') ?? '';
      const answer = await send(`${origin}/console/login`, {
        method: 'POST',
        cookie: `${planted}; ${csrf}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams({ _csrf: tokenIn(login.text), key }).toString(),
      });
      expect(answer.status).to.equal(303);
      const issued = cookieOf(answer, 'shuyu_console');
      expect(issued).to.be.a('string').and.not.equal(planted);
      // The planted id is still nobody.
      const probe = await send(`${origin}/console/admin`, { cookie: planted });
      const participantProbe = await send(`${origin}/console/discover`, { cookie: planted });
      expect([probe.status, participantProbe.status]).to.include(303);
      expect(probe.location ?? participantProbe.location).to.match(/\/console\/login/);
    }
  });

  it('shows script in member names and dataset titles as text', async () => {
    const page = await send(`${space.authority.admin.url}/console/admin`, { cookie: admin.cookie });
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Bank &lt;img src=x onerror=alert(1)&gt; &quot;&amp;&quot; Co');
    expect(page.text).to.not.include('<img src=x');
    await member.controlPlane.assets.createAsset({
      id: 'urn:dataset:xss',
      title: '<script>alert("title")</script>',
      description: 'x',
      keywords: ['x'],
      sector: 'medical',
      dataGrade: 'general',
      format: 'text/csv',
      licence: 'https://licences.example/x',
      publisher: member.did,
      dataAddress: { kind: 'inline', data: 'a\n' },
    });
    const publish = await send(`${site(member)}/console/publish`, { cookie: operator.cookie });
    expect(publish.text).to.include('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
    expect(publish.text).to.not.include('<script>alert');
  });

  it('sets session and CSRF cookies HttpOnly, SameSite=Strict and scoped to /console', async () => {
    const login = await send(`${site(member)}/console/login`);
    const csrf = login.cookies.find((c) => c.startsWith('shuyu_csrf='));
    expect(login.status, JSON.stringify(login.cookies)).to.equal(200);
    expect(csrf)
      .to.match(/HttpOnly/)
      .and.match(/SameSite=Strict/)
      .and.match(/Path=\/console/);
    const answer = await send(`${site(member)}/console/login`, {
      method: 'POST',
      cookie: cookieOf(login, 'shuyu_csrf') ?? '',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site(member) },
      body: new URLSearchParams({ _csrf: tokenIn(login.text), key: member.managementApiKey }).toString(),
    });
    const session = answer.cookies.find((c) => c.startsWith('shuyu_console='));
    expect(session)
      .to.match(/HttpOnly/)
      .and.match(/SameSite=Strict/)
      .and.match(/Path=\/console/);
    expect(session).to.match(/Max-Age=\d+/);
  });
  it('signs an operator account in only with its password, and throttles guesses at that account', async () => {
    const clinic = await startMember(
      space,
      'accounts',
      hospitalApplication({ organisationName: 'Account Clinic' }),
    );
    const file = join(clinic.dataDir, 'connector.json');
    const config = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
      : {};
    writeFileSync(
      file,
      JSON.stringify({
        ...config,
        console: {
          accounts: [
            { name: 'wang', scrypt: hashConsolePassword('correct horse 电池', '00112233445566778899') },
          ],
        },
      }),
    );
    const login = await send(`${site(clinic)}/console/login`);
    expect(login.text).to.include('name="name"');
    const attempt = (name: string, key: string) =>
      send(`${site(clinic)}/console/login`, {
        method: 'POST',
        cookie: cookieOf(login, 'shuyu_csrf') ?? '',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site(clinic) },
        body: new URLSearchParams({ _csrf: tokenIn(login.text), name, key }).toString(),
      });
    expect((await attempt('wang', 'wrong')).status).to.equal(401);
    // The management key is no account's password.
    expect((await attempt('wang', clinic.managementApiKey)).status).to.equal(401);
    const good = await attempt('wang', 'correct horse 电池');
    expect(good.status).to.equal(303);
    const page = await send(`${site(clinic)}/console/discover`, {
      cookie: `${cookieOf(login, 'shuyu_csrf')}; ${cookieOf(good, 'shuyu_console')}`,
    });
    expect(page.text).to.include('Signed in as wang');
    for (let i = 0; i < 6; i++) await attempt('wang', `guess-${i}`);
    expect((await attempt('wang', 'correct horse 电池')).status).to.equal(429);
  });

  it('throttles brute-forced sign-in with a growing back-off (429 + Retry-After), even for the right key', async () => {
    for (const [origin, key] of [
      [site(member), member.managementApiKey],
      [space.authority.admin.url, space.adminKey],
    ] as const) {
      const login = await send(`${origin}/console/login`);
      const cookie = cookieOf(login, 'shuyu_csrf') ?? '';
      const attempt = (secret: string) =>
        send(`${origin}/console/login`, {
          method: 'POST',
          cookie,
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
          body: new URLSearchParams({ _csrf: tokenIn(login.text), key: secret }).toString(),
        });
      const statuses: number[] = [];
      let retryAfter = 0;
      for (let i = 0; i < 30; i++) {
        const answer = await attempt(`wrong-key-${i}`);
        statuses.push(answer.status);
        if (answer.status === 429) retryAfter = Number(answer.headers.get('retry-after'));
      }
      expect(statuses.slice(0, 5)).to.deep.equal([401, 401, 401, 401, 401]);
      expect(statuses.filter((s) => s === 429).length).to.be.greaterThan(20);
      expect(retryAfter).to.be.at.least(1);
      const right = await attempt(key);
      expect(right.status).to.equal(429);
      expect(cookieOf(right, 'shuyu_console')).to.equal(undefined);
    }
  });

  it('never redirects to another site after sign-in or a language switch (open redirect)', async () => {
    const fresh = await startMember(
      space,
      'redirects',
      hospitalApplication({ organisationName: 'Redirect Clinic' }),
    );
    const origin = site(fresh);
    for (const next of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      '/console/../x',
      'javascript:alert(1)',
    ]) {
      const login = await send(`${origin}/console/login?next=${encodeURIComponent(next)}`);
      expect(login.text).to.not.include('evil.example');
      const answer = await send(`${origin}/console/login`, {
        method: 'POST',
        cookie: cookieOf(login, 'shuyu_csrf') ?? '',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams({
          _csrf: tokenIn(login.text),
          key: fresh.managementApiKey,
          next,
        }).toString(),
      });
      expect(answer.status).to.equal(303);
      expect(answer.location).to.equal('/console/discover');
    }
    for (const back of ['https://evil.example/', '//evil.example']) {
      const answer = await send(`${origin}/console/lang?to=zh-CN&back=${encodeURIComponent(back)}`);
      expect(answer.status).to.equal(303);
      expect(answer.location).to.equal('/console');
    }
  });

  it('forbids framing every console page (X-Frame-Options and CSP frame-ancestors)', async () => {
    for (const [url, cookie] of [
      [`${space.authority.admin.url}/console`, ''],
      [`${space.authority.admin.url}/console/admin`, admin.cookie],
      [`${site(member)}/console/login`, ''],
      [`${site(member)}/console/discover`, operator.cookie],
    ] as const) {
      const answer = await send(url, { cookie });
      expect(answer.status, url).to.equal(200);
      expect(answer.headers.get('x-frame-options')).to.equal('DENY');
      expect(answer.headers.get('content-security-policy')).to.include("frame-ancestors 'none'");
      expect(answer.headers.get('content-security-policy')).to.not.include('unsafe-eval');
    }
  });
});
