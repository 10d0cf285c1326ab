// A console session over plain HTTP, as a browser keeps it: the anonymous CSRF cookie and token from
// the sign-in page, the session cookie from signing in, and the session's token in every form posted.

export interface ConsoleSession {
  post(path: string, form: Record<string, string>): Promise<Response>;
  get(path: string): Promise<string>;
  /** A GET answered as it came (status, headers, body). */
  fetch(path: string): Promise<Response>;
  /** A multipart/form-data POST (the asset form), with the session's CSRF token added. */
  postMultipart(path: string, form: FormData): Promise<Response>;
}

export interface ConsoleSessionOptions {
  /** The language switch's cookie: every page in this language. */
  readonly lang?: 'zh-CN' | 'en';
  /** Sent as Accept-Language. */
  readonly acceptLanguage?: string;
  /** Another cookie, e.g. the viewer's zone (shuyu_tz=Asia/Shanghai). */
  readonly cookie?: string;
}

function cookieFrom(response: Response, name: string): string {
  return (
    response.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${name}=`))
      ?.split(';')[0] ?? ''
  );
}

function tokenIn(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
}

/** Options go with every request after sign-in (the language cookie, Accept-Language, another cookie such as shuyu_tz). */
export async function consoleSession(
  base: string,
  key: string,
  options: ConsoleSessionOptions = {},
): Promise<ConsoleSession> {
  const page = await fetch(`${base}/console/login`);
  const anonymous = cookieFrom(page, 'shuyu_csrf');
  const login = await fetch(`${base}/console/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: anonymous, origin: base },
    body: new URLSearchParams({ _csrf: tokenIn(await page.text()), key }).toString(),
    redirect: 'manual',
  });
  if (login.status !== 303) throw new Error(`console sign-in failed: ${login.status}`);
  const cookie = [
    anonymous,
    cookieFrom(login, 'shuyu_console'),
    ...(options.lang ? [`shuyu_lang=${options.lang}`] : []),
    ...(options.cookie ? [options.cookie] : []),
  ].join('; ');
  const lang: Record<string, string> = options.acceptLanguage
    ? { 'accept-language': options.acceptLanguage }
    : {};
  const answer = (path: string) =>
    fetch(`${base}${path}`, { headers: { cookie, ...lang }, redirect: 'manual' });
  const get = async (path: string) =>
    (await fetch(`${base}${path}`, { headers: { cookie, ...lang } })).text();
  const token = tokenIn(await get('/console/login'));
  return {
    get,
    fetch: answer,
    postMultipart: (path, form) => {
      form.set('_csrf', token);
      return fetch(`${base}${path}`, {
        method: 'POST',
        headers: { cookie, origin: base },
        body: form,
        redirect: 'manual',
      });
    },
    post: (path, form) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: base, ...lang },
        body: new URLSearchParams({ _csrf: token, ...form }).toString(),
        redirect: 'manual',
      }),
  };
}

/** The one-time notice (error or status) shown on the page a form action redirected to. */
export async function noticeAfter(session: ConsoleSession, response: Response): Promise<string> {
  if (response.status !== 303) throw new Error(`expected a redirect after the form, got ${response.status}`);
  const page = await session.get(response.headers.get('location') ?? '/console');
  return /role="(?:alert|status)"[^>]*>([\s\S]*?)<\//.exec(page)?.[1]?.trim() ?? '';
}
