import { Worker } from 'node:worker_threads';
import { currentVu } from '../state.mjs';

/**
 * k6/http's synchronous calls: each request runs on a worker thread while this thread waits on a
 * shared buffer, so `http.post(...)` returns its response like k6's does. Each VU keeps its own
 * cookie jar, as in k6.
 */
const SIZE = 8 * 1024 * 1024;
const shared = new SharedArrayBuffer(8 + SIZE);
const signal = new Int32Array(shared, 0, 2);
const bytes = new Uint8Array(shared, 8);
let worker;

function exchange(message) {
  worker ??= new Worker(new URL('../http-worker.mjs', import.meta.url), { workerData: { shared } });
  worker.unref();
  Atomics.store(signal, 0, 0);
  worker.postMessage(message);
  if (Atomics.wait(signal, 0, 0, 30_000) === 'timed-out') throw new Error(`k6 adapter: ${message.method} ${message.url} took over 30 s`);
  return JSON.parse(new TextDecoder().decode(bytes.slice(0, Atomics.load(signal, 1))));
}

class Response {
  constructor(raw, url) {
    this.status = raw.status;
    this.body = raw.body;
    this.headers = raw.headers;
    this.error = raw.error ?? '';
    this.url = url;
    this.cookies = {};
    for (const line of raw.setCookie) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      (this.cookies[name] ??= []).push({ name, value: pair.slice(eq + 1).trim() });
    }
  }

  /** The parsed body, or the value at a dotted path in it (k6's selector subset used here). */
  json(selector) {
    const value = JSON.parse(this.body);
    if (!selector) return value;
    return selector.split('.').reduce((at, key) => (at == null ? undefined : at[key]), value);
  }
}

export function request(method, url, body = null, params = {}) {
  const vu = currentVu();
  const headers = { ...(params.headers ?? {}) };
  const jar = [...vu.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  if (jar && !Object.keys(headers).some((h) => h.toLowerCase() === 'cookie')) headers.cookie = jar;
  const response = new Response(exchange({ method, url, body: body === null ? null : String(body), headers }), url);
  for (const [name, values] of Object.entries(response.cookies)) vu.cookies.set(name, values[values.length - 1].value);
  return response;
}

export const get = (url, params) => request('GET', url, null, params);
export const post = (url, body, params) => request('POST', url, body, params);
export const put = (url, body, params) => request('PUT', url, body, params);
export const del = (url, body, params) => request('DELETE', url, body, params);

export default { request, get, post, put, del };
