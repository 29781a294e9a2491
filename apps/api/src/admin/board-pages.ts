/** The login and logout pages: plain HTML forms, no script, so the API's strict CSP holds. */

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Flock</title>
<style>
body { font-family: system-ui, sans-serif; background: #f4f5f7; display: grid; place-items: center; min-height: 100vh; margin: 0; }
main { background: #fff; padding: 2rem 2.5rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12); width: 22rem; }
h1 { font-size: 1.25rem; margin: 0 0 1rem; }
label { display: block; margin-bottom: .25rem; font-size: .9rem; }
input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; margin-bottom: 1rem; font-size: 1rem; }
button { padding: .5rem 1rem; font-size: 1rem; cursor: pointer; }
.error { color: #b00020; margin: 0 0 1rem; }
p.note { color: #555; font-size: .85rem; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

export function loginPage(csrf: string, error?: string): string {
  return page(
    'Log in',
    `<h1>Flock job queues</h1>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/admin/login">
<input type="hidden" name="csrf" value="${escape(csrf)}">
<label for="key">Admin API key</label>
<input type="password" id="key" name="key" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button>
</form>
<p class="note">Read-only view of Flock's queues. Tenant keys do not open it.</p>`,
  );
}

export function logoutPage(csrf: string): string {
  return page(
    'Log out',
    `<h1>Log out of the job queues?</h1>
<form method="post" action="/admin/logout">
<input type="hidden" name="csrf" value="${escape(csrf)}">
<button type="submit">Log out</button>
</form>`,
  );
}
