/**
 * HTML building for the link page (escaping, the shared layout, its stylesheet and script) and the
 * few machine-readable marks on it that `authorize.ts` reads (headers, hidden fields, the alert).
 */

/** The step a link page answer shows (header `x-connect-trade-link-step`). */
export type LinkStep = 'broker' | 'login' | 'mfa' | 'result' | 'used' | 'expired' | 'not_found' | 'refused';

/** The header naming the step of an answer. */
export const STEP_HEADER = 'x-connect-trade-link-step';
/** The header carrying the redirect URL on the result step. */
export const REDIRECT_HEADER = 'x-connect-trade-redirect';

/** Escapes text for HTML element content and attribute values. */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Where the link page's stylesheet and script are served. */
export const LINK_CSS_PATH = '/__sandbox/assets/link.css';
export const LINK_JS_PATH = '/__sandbox/assets/link.js';

/** A whole page: the sandbox banner, a heading and the body. */
export function layout(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Connect Trade sandbox</title>
<link rel="stylesheet" href="${LINK_CSS_PATH}">
<script src="${LINK_JS_PATH}" defer></script>
</head>
<body>
<header class="banner"><span class="logo" aria-hidden="true">◆</span> Connect Trade <span class="tag">Sandbox</span></header>
<main class="card">
<h1>${esc(title)}</h1>
${main}
</main>
<footer class="note">This is the local sandbox: no real broker is contacted and no real credentials are needed.</footer>
</body>
</html>
`;
}

/** A hidden form field. */
export function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;
}

/** The alert box (`role="alert"`), or nothing. */
export function alertBox(message: string | undefined): string {
  return message === undefined ? '' : `<div class="alert" role="alert">${esc(message)}</div>`;
}

/** Reads the hidden fields of a page this module rendered (for clients that drive it without a browser). */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    fields[unesc(m[1] ?? '')] = unesc(m[2] ?? '');
  return fields;
}

/** The text of the page's alert, if any. */
export function alertText(html: string): string | undefined {
  const m = /<div class="alert" role="alert">([^<]*)<\/div>/.exec(html);
  return m ? unesc(m[1] ?? '') : undefined;
}

function unesc(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The link page's stylesheet (system fonts only: nothing is fetched from anywhere). */
export const LINK_CSS = `:root{--fg:#14213d;--muted:#4a5568;--accent:#1d4ed8;--bg:#f3f5f9;--err:#a61b1b;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center}
.banner{width:100%;box-sizing:border-box;padding:.8rem 1.2rem;background:#14213d;color:#fff;font-weight:600}
.tag{background:#fbbf24;color:#14213d;border-radius:4px;padding:.05rem .4rem;margin-left:.4rem;font-size:.8rem}
.card{background:#fff;margin:2rem 1rem;padding:1.5rem 2rem;border-radius:10px;box-shadow:0 2px 12px #0002;width:min(40rem,92vw);box-sizing:border-box}
h1{font-size:1.4rem;margin:0 0 1rem}
p{color:var(--muted);line-height:1.45}
fieldset{border:0;padding:0;margin:0 0 1rem}
legend{font-weight:600;margin-bottom:.6rem}
.brokers{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.4rem}
.brokers label{display:flex;gap:.5rem;align-items:center;border:1px solid #cbd5e1;border-radius:6px;padding:.45rem .6rem;cursor:pointer}
.brokers label:has(input:checked){border-color:var(--accent);background:#eff6ff}
.field{display:flex;flex-direction:column;margin-bottom:.9rem}
.field label{font-weight:600;margin-bottom:.25rem}
input[type=text],input[type=password],select{font:inherit;padding:.5rem .6rem;border:1px solid #64748b;border-radius:6px}
.hint{font-size:.85rem;color:var(--muted)}
.actions{display:flex;gap:.6rem;margin-top:1rem}
button,.button{font:inherit;padding:.55rem 1.1rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none}
button.secondary{background:#fff;color:var(--accent)}
.alert{border:1px solid var(--err);background:#fdecec;color:var(--err);padding:.6rem .8rem;border-radius:6px;margin-bottom:1rem}
.result-ok{color:#166534}.result-error{color:var(--err)}
.note{font-size:.8rem;color:var(--muted);margin-bottom:1rem}
code{background:#eef2f7;padding:0 .25rem;border-radius:3px}
`;

/**
 * The link page's script: on the result step, tell the opener (popup mode) with the redirect URL's
 * exact origin as target, then go to the redirect URL. Everything else works without it.
 */
export const LINK_JS = `(function(){
var el=document.getElementById('result');if(!el)return;
var to=el.getAttribute('data-redirect');if(!to)return;
var message={type:'connect-trade:link',status:el.getAttribute('data-status'),redirect_url:to};
var id=el.getAttribute('data-connection-id');if(id)message.connection_id=id;
var code=el.getAttribute('data-error-code');if(code)message.error_code=code;
if(el.getAttribute('data-status')==='cancelled')message.error='access_denied';
try{if(window.opener&&!window.opener.closed)window.opener.postMessage(message,new URL(to).origin);}catch(e){}
setTimeout(function(){location.replace(to);},Number(el.getAttribute('data-delay-ms')||0));
})();
`;
