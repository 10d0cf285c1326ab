// A tiny HTML templating helper: every interpolated value is escaped unless it is already Html, so a
// dataset title or an application's organisation name can never inject markup.

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? '';
  parts.forEach((part, i) => {
    out += render(part) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:.7rem 1.5rem;display:flex;gap:1.5rem;align-items:center}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.15rem}
main{padding:1.2rem 1.5rem;max-width:1200px}
.layout{display:grid;grid-template-columns:230px 1fr;gap:1.5rem}
aside h3{font-size:.8rem;text-transform:uppercase;color:#5b6474;margin:1rem 0 .3rem}
aside a{display:block;color:#1f3a5f;text-decoration:none;font-size:.92rem;padding:.1rem 0}
aside a.on{font-weight:700}
.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:.9rem 1.1rem;margin-bottom:.8rem}
.card h2{font-size:1.05rem;margin:0 0 .3rem}.card h2 a{color:#1f3a5f}
.meta{color:#5b6474;font-size:.85rem}.tag{display:inline-block;background:#e8eef7;border-radius:3px;padding:0 .4rem;margin-right:.3rem;font-size:.8rem}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border:1px solid #dde1e7;padding:.35rem .5rem;text-align:left;font-size:.9rem;vertical-align:top}
.flash{background:#e6f4ea;border:1px solid #9bd3a8;padding:.5rem .8rem;margin-bottom:1rem}
.error{background:#fdecea;border:1px solid #f3a59d;padding:.5rem .8rem;margin-bottom:1rem}
form.inline{display:inline-flex;gap:.3rem;margin:.1rem 0}input,select,button{font:inherit;padding:.2rem .4rem}
`;

export interface PageOptions {
  /** The admin's key name when signed in. */
  admin?: string;
  flash?: string;
  error?: string;
}

export function page(title: string, body: Html, options: PageOptions = {}): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${title} · Shuyu</title>
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <a class="brand" href="/console">Shuyu 数语</a><a href="/console">Catalog</a
          ><a href="/console/products">Data products</a>
          ${
            options.admin
              ? html`<a href="/console/admin">Administration</a
                  ><span class="meta" style="color:#cfd8e3">signed in as ${options.admin}</span>
                  <form method="post" action="/console/logout" class="inline">
                    <button>Sign out</button>
                  </form>`
              : html`<a href="/console/login">Admin sign-in</a>`
          }
        </header>
        <main>
          ${options.flash ? html`<div class="flash" role="status">${options.flash}</div>` : ''}
          ${options.error ? html`<div class="error" role="alert">${options.error}</div>` : ''} ${body}
        </main>
      </body>
    </html>`.text;
}
