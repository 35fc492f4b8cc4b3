// The collector's HTTP APIs, relative to the page's root (so a reverse proxy may mount it under a path).

export class Api {
  constructor(root, profile) {
    this.root = new URL(root, location.href);
    this.profile = encodeURIComponent(profile);
  }

  url(path) {
    return new URL(path, this.root);
  }

  /** GET /api/v1/{profile}/{endpoint}?{params}: the JSON answer, or throws an Error with the API's message. */
  query(endpoint, params, extra = {}, signal = undefined) {
    const q = new URLSearchParams(params);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return this.json(`api/v1/${this.profile}/${endpoint}?${q}`, { signal });
  }

  /** The live rules, read-only (not in public mode). */
  rules() {
    return this.json(`dashboard/v1/${this.profile}/rules`);
  }

  /** GET or PUT /admin/v1/{profile}/config with the bearer token: {status, etag, body}. */
  async admin(token, method = 'GET', body = undefined, etag = undefined) {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (etag) headers['If-Match'] = etag;
    const res = await fetch(this.url(`admin/v1/${this.profile}/config`), { method, headers, body, cache: 'no-store' });
    let json = null;
    try { json = await res.json(); } catch { /* not JSON */ }
    return { status: res.status, etag: res.headers.get('ETag'), body: json };
  }

  async json(path, init = {}) {
    const res = await fetch(this.url(path), { ...init, cache: 'no-store' });
    let body = null;
    try { body = await res.json(); } catch { /* not JSON */ }
    if (!res.ok) {
      const msg = body && body.error ? body.error : `HTTP ${res.status}`;
      const err = new Error(msg);
      err.status = res.status;
      err.parameter = body && body.parameter;
      throw err;
    }
    return body;
  }
}
