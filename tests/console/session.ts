// A console session over plain HTTP, as a browser keeps it: the anonymous CSRF cookie and token from
// the sign-in page, the session cookie from signing in, and the session's token in every form posted.

export interface ConsoleSession {
  post(path: string, form: Record<string, string>): Promise<Response>;
  get(path: string): Promise<string>;
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

/** `headers` go with every request after sign-in (Accept-Language, or a cookie such as shuyu_tz). */
export async function consoleSession(
  base: string,
  key: string,
  headers: { acceptLanguage?: string; cookie?: string } = {},
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
    ...(headers.cookie ? [headers.cookie] : []),
  ].join('; ');
  const lang: Record<string, string> = headers.acceptLanguage
    ? { 'accept-language': headers.acceptLanguage }
    : {};
  const get = async (path: string) =>
    (await fetch(`${base}${path}`, { headers: { cookie, ...lang } })).text();
  const token = tokenIn(await get('/console/login'));
  return {
    get,
    post: (path, form) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: base, ...lang },
        body: new URLSearchParams({ _csrf: token, ...form }).toString(),
        redirect: 'manual',
      }),
  };
}
