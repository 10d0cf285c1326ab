// The consoles' style sheet and their one small script (served from <base>/console.js, so the CSP can
// forbid inline script). The script only improves pages that work without it: it shows <time> elements
// in the viewer's zone and language, and checks a policy while it is typed.

export const STYLE = `
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Noto Sans SC","WenQuanYi Micro Hei","PingFang SC","Hiragino Sans GB","Microsoft YaHei",sans-serif;margin:0;color:#1d2330;background:#f6f7f9;line-height:1.45;overflow-wrap:anywhere}
header{background:#1f3a5f;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center}
header a{color:#fff;text-decoration:none;padding:.2rem 0}header a:hover,header a.on{text-decoration:underline}
header .brand{font-weight:700;font-size:1.15rem}header nav{display:flex;flex-wrap:wrap;gap:.2rem 1rem}
header .who{margin-left:auto;display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:center;color:#e3e9f1;font-size:.9rem}
header button{background:#fff;color:#1f3a5f;border:0;border-radius:4px}
main{padding:1rem;max-width:1200px;margin:0 auto}
h1{font-size:1.45rem;margin:.3rem 0 .8rem}h2{font-size:1.15rem}
.layout{display:grid;grid-template-columns:230px minmax(0,1fr);gap:1.5rem}
@media (max-width:700px){.layout{grid-template-columns:minmax(0,1fr)}main{padding:.7rem}}
aside h3{font-size:.8rem;text-transform:uppercase;color:#4a5262;margin:1rem 0 .3rem}
aside a{display:block;color:#1f3a5f;text-decoration:none;font-size:.92rem;padding:.15rem 0}
aside a.on{font-weight:700}
a{color:#1f4f8f}
.card{background:#fff;border:1px solid #d3d8df;border-radius:6px;padding:.9rem 1rem;margin-bottom:.8rem}
.card h2,.card h3{margin:0 0 .3rem}.card h2 a{color:#1f3a5f}
.meta{color:#4a5262;font-size:.85rem}.tag{display:inline-block;background:#e8eef7;color:#1d2330;border-radius:3px;padding:0 .4rem;margin:0 .3rem .2rem 0;font-size:.8rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;background:#fff}th{overflow-wrap:normal;min-width:5.5rem}td.signature{font-size:.72rem;word-break:break-all}td,th{border:1px solid #d3d8df;padding:.35rem .5rem;text-align:left;font-size:.9rem;vertical-align:top}
.flash{background:#e6f4ea;border:1px solid #7fbf8e;padding:.5rem .8rem;margin-bottom:1rem}
.error{background:#fdecea;border:1px solid #e0877c;padding:.5rem .8rem;margin-bottom:1rem}
form.inline{display:inline-flex;flex-wrap:wrap;gap:.3rem;margin:.15rem 0;align-items:center;max-width:100%}
form.inline>*,form.inline label{min-width:0;max-width:100%}form.inline label{display:inline-flex;flex-wrap:wrap;gap:.3rem;align-items:center}
form.stack{display:grid;grid-template-columns:minmax(0,1fr);gap:.6rem;max-width:640px}form.stack label{display:grid;grid-template-columns:minmax(0,1fr);gap:.2rem;font-weight:600}
input[type=radio],input[type=checkbox]{width:auto;padding:0;margin:0}
form.stack label.choice{display:flex;gap:.4rem;align-items:center;font-weight:400}
fieldset{min-width:0;margin:0;display:grid;gap:.3rem;border:1px solid #d3d8df;border-radius:4px}
form.stack label span.meta{font-weight:400}
input,select,button,textarea{font:inherit;padding:.35rem .5rem;max-width:100%;border:1px solid #8a93a3;border-radius:4px}
textarea{width:100%;font-family:ui-monospace,"Noto Sans Mono CJK SC",monospace;font-size:.85rem}
button{background:#1f4f8f;color:#fff;border-color:#1f4f8f;cursor:pointer;min-height:2.2rem}
button.secondary{background:#fff;color:#1f4f8f}button.danger{background:#a4262c;border-color:#a4262c}
:focus-visible{outline:3px solid #d98e04;outline-offset:2px}
.timeline{list-style:none;padding:0;margin:0;border-left:3px solid #1f4f8f}
.timeline li{padding:.2rem 0 .4rem .8rem;position:relative}
.timeline li::before{content:"";position:absolute;left:-.45rem;top:.55rem;width:.6rem;height:.6rem;border-radius:50%;background:#1f4f8f}
.timeline li.ahead{color:#595959}
.timeline li.ahead::before{background:#fff;border:2px solid #1f4f8f;width:.35rem;height:.35rem}
.state{font-weight:700}pre{white-space:pre-wrap;background:#fff;border:1px solid #d3d8df;padding:.5rem;font-size:.8rem}
.ok{color:#1e6b34}.bad{color:#a4262c}
code.code{font-size:.75em;color:#4a4a4a;overflow-wrap:anywhere}
`;

export const SCRIPT = `
(function(){
  var lang = document.documentElement.lang || undefined;
  var fmt;
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf('shuyu_tz=' + encodeURIComponent(zone)) < 0)
      document.cookie = 'shuyu_tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; SameSite=Strict';
  } catch (e) {}
  try { fmt = new Intl.DateTimeFormat(lang, {dateStyle:'medium', timeStyle:'short'}); } catch (e) { return; }
  document.querySelectorAll('time[datetime]').forEach(function(el){
    var d = new Date(el.getAttribute('datetime'));
    if (!isNaN(d.getTime())) { el.title = el.getAttribute('datetime'); el.textContent = fmt.format(d); }
  });
  var area = document.getElementById('policy-json');
  var out = document.getElementById('policy-live');
  var token = document.querySelector('input[name=_csrf]');
  if (area && out && token) {
    var timer;
    area.addEventListener('input', function(){
      clearTimeout(timer);
      timer = setTimeout(function(){
        var policy;
        try { policy = JSON.parse(area.value); } catch (e) { out.textContent = out.dataset.badJson + ' ' + e.message; out.className = 'bad'; return; }
        fetch(area.dataset.checkUrl, {method:'POST', headers:{'content-type':'application/json','x-csrf-token':token.value}, body: JSON.stringify({policy: policy})})
          .then(function(r){ return r.json(); })
          .then(function(body){
            out.className = body.ok ? 'ok' : 'bad';
            out.textContent = body.ok ? out.dataset.good : body.problems.map(function(p){ return (p.pointer || '/') + ': ' + p.message; }).join('\\n');
          }).catch(function(){});
      }, 400);
    });
  }
})();
`;
