// The REST API, called with the signed-in key. Errors keep the API's {error: {code, message}}.
const KEY = 'creditline.key';
const ORG = 'creditline.org';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

export const session = {
  key: () => sessionStorage.getItem(KEY),
  /** The org an operator chose to look at (admins and members have their own). */
  chosenOrg: () => sessionStorage.getItem(ORG),
  signIn(key) { sessionStorage.setItem(KEY, key); },
  chooseOrg(orgId) { sessionStorage.setItem(ORG, orgId); },
  signOut() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(ORG); },
};

/** A path with query parameters; null and empty values are left out. */
export function path(base, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

export const enc = encodeURIComponent;

async function send(method, url, body, contentType, key = session.key()) {
  const headers = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = contentType;
  const res = await fetch(url, { method, headers, body, cache: 'no-store' });
  if (!res.ok) {
    let err = {};
    try { err = (await res.json()).error || {}; } catch { /* not JSON */ }
    throw new ApiError(res.status, err.code || `HTTP_${res.status}`, err.message || `${method} ${url} answered ${res.status}`, err.details);
  }
  return res;
}

export async function get(url, key) {
  return (await send('GET', url, undefined, undefined, key)).json();
}

export async function put(url, body) {
  return (await send('PUT', url, JSON.stringify(body), 'application/json')).json();
}

export async function del(url) {
  await send('DELETE', url);
}

/** Posts a body as it is — text, or a file's bytes (an ArrayBuffer) — and returns the JSON answer. */
export async function postBody(url, body, contentType) {
  return (await send('POST', url, body, contentType)).json();
}

/** Fetches a file with the key and hands it to the browser as a download named by the server. */
export async function download(url) {
  const res = await send('GET', url);
  const disposition = res.headers.get('Content-Disposition') || '';
  const match = /filename="([^"]+)"/.exec(disposition);
  const name = match ? match[1] : url.split('?')[0].split('/').pop();
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return name;
}
