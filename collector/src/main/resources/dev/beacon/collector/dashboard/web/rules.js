// The profile's remote-config rules: read-only, and editable with the admin token (the admin API:
// GET for the rules and their ETag, PUT with If-Match). The token stays in this tab's
// sessionStorage, never in the URL.

const KEYS = [
  ['disable_telemetry', 'Telemetry', (v) => (v ? 'off (kill switch)' : 'on')],
  ['rollout_percentage', 'Rollout', (v) => `${v}%`],
  ['disable_events', 'Disabled events', list],
  ['disable_sdks', 'Disabled SDKs', list],
  ['disable_os', 'Disabled OS', list],
  ['ingestion_url', 'Ingestion URL', (v) => v || 'this collector'],
];
const TOKEN_KEY = 'beacon.adminToken';

function list(v) {
  return v && v.length ? v.join(', ') : 'none';
}

/** Renders the rules document as a table: the default, then each prefix and version override. */
export function view(el, rules) {
  const table = document.createElement('table');
  table.className = 'rules-table';
  const head = table.createTHead().insertRow();
  for (const t of ['Applies to', ...KEYS.map((k) => k[1])]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = t;
    head.append(th);
  }
  const body = table.createTBody();
  const add = (scope, settings, isDefault) => {
    const tr = body.insertRow();
    tr.dataset.scope = scope;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = scope;
    tr.append(th);
    for (const [key, , fmt] of KEYS) {
      const td = tr.insertCell();
      if (key in settings) {
        td.textContent = fmt(settings[key]);
        if (key === 'disable_telemetry' && settings[key]) td.className = 'alert';
      } else {
        td.textContent = isDefault ? '' : 'inherited';
        td.className = 'muted';
      }
      td.dataset.key = key;
    }
  };
  add('every version', rules.default || {}, true);
  for (const [p, o] of Object.entries(rules.prefixes || {})) add(`versions ${p}*`, o, false);
  for (const [v, o] of Object.entries(rules.versions || {})) add(`version ${v}`, o, false);
  const wrap = document.createElement('div');
  wrap.className = 'table-wrap';
  wrap.append(table);
  el.replaceChildren(wrap);
}

/**
 * Wires the admin editor: unlock with the token (GET), edit the JSON document, save (PUT with
 * If-Match). onSaved(rules) is called with the saved rules.
 */
export function editor(api, { unlock, token, form, textarea, cancel, message }, onSaved) {
  let etag = null;
  unlock.hidden = false;
  const say = (text, kind = '') => {
    message.textContent = text;
    message.className = kind;
  };
  const open = async (t) => {
    const r = await api.admin(t);
    if (r.status !== 200) {
      sessionStorage.removeItem(TOKEN_KEY);
      unlock.hidden = false;
      form.hidden = true;
      token.setCustomValidity(r.status === 401 ? 'The admin token is not valid' : `The admin API answered ${r.status}`);
      token.reportValidity();
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, t);
    etag = r.etag;
    textarea.value = JSON.stringify(r.body, null, 2);
    unlock.hidden = true;
    form.hidden = false;
    say('');
  };
  token.addEventListener('input', () => token.setCustomValidity(''));
  unlock.addEventListener('submit', (e) => {
    e.preventDefault();
    open(token.value.trim());
  });
  cancel.addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    form.hidden = true;
    unlock.hidden = false;
    token.value = '';
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let doc;
    try {
      doc = JSON.parse(textarea.value);
    } catch (err) {
      say(`Not JSON: ${err.message}`, 'error');
      return;
    }
    const t = sessionStorage.getItem(TOKEN_KEY);
    const r = await api.admin(t, 'PUT', JSON.stringify(doc), etag);
    if (r.status === 200) {
      etag = r.etag;
      textarea.value = JSON.stringify(r.body, null, 2);
      say('Saved. New clients get these rules now.', 'ok');
      onSaved(r.body);
    } else if (r.status === 412) {
      say('The rules changed meanwhile: reloaded them; apply your change again.', 'error');
      open(t);
    } else {
      const b = r.body || {};
      say(`Not saved: ${b.error || `HTTP ${r.status}`}${b.key ? ` (at ${b.key})` : ''}`, 'error');
    }
  });
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) open(saved);
}
