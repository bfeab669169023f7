import type { Secrets } from '@banterbox/auth';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { isValidId } from '@banterbox/protocol';
import type { HttpRoutes } from './http';
import { ensureSession, sessionRequest } from './session';

/** The built web client (apps/web/dist), held in memory: a few small files. */
export interface Site {
  pages: Map<string, Buffer>;
  assets: Map<string, { body: Buffer; type: string }>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Pages may load only the gateway's own scripts, styles and sockets: the client makes no other
 * network request, and no injected script or inline style runs.
 */
const CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

/** Where the web client's build is unless WEB_DIR says otherwise. */
export function defaultWebDir(): string {
  return join(dirname(require.resolve('@banterbox/web/package.json')), 'dist');
}

/** Loads the built site, or returns why it cannot (not built). */
export function loadSite(dir: string): Site | string {
  if (!existsSync(join(dir, 'index.html'))) return `no web client build in ${dir} (run npm run build)`;
  const pages = new Map<string, Buffer>();
  for (const page of ['index', 'room', 'overlay', 'poker', 'studio', 'replay']) pages.set(page, readFileSync(join(dir, `${page}.html`)));
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const file of readdirSync(join(dir, 'assets'))) {
    assets.set(file, { body: readFileSync(join(dir, 'assets', file)), type: TYPES[extname(file)] ?? 'application/octet-stream' });
  }
  return { pages, assets };
}

/**
 * Serves the pages (each sets the session cookie, SPEC §4) and the content-hashed assets. They
 * need no Redis, so a draining gateway still serves them (a reload during a drain shows the page,
 * not an error) but closes the connection after each, so the browser's next request reaches
 * another gateway.
 */
export function mountSite(app: HttpRoutes, site: Site, secrets: Secrets, draining: () => boolean): void {
  /** A room page answers 404 (with the page's own "no such room" message) for an id outside SPEC §4's rule. */
  const page =
    (name: string, roomParam = false) =>
    (res: HttpResponse, req: HttpRequest) => {
      const body = site.pages.get(name)!;
      const session = sessionRequest(req);
      const status = roomParam && !isValidId(req.getParameter(0)) ? '404 Not Found' : '200 OK';
      res.cork(() => {
        res.writeStatus(status);
        ensureSession(res, session, secrets);
        res
          .writeHeader('content-type', 'text/html; charset=utf-8')
          .writeHeader('cache-control', 'no-cache')
          .writeHeader('content-security-policy', CSP)
          .writeHeader('x-content-type-options', 'nosniff')
          .writeHeader('referrer-policy', 'no-referrer')
          .end(body, draining());
      });
    };
  app.get('/', page('index'));
  app.get('/room/:room', page('room', true));
  app.get('/overlay/:room', page('overlay', true));
  app.get('/poker', page('poker'));
  app.get('/poker/:room', page('poker', true));
  app.get('/studio', page('studio'));
  app.get('/replay/:room', page('replay', true));
  app.get('/assets/:file', (res, req) => {
    const asset = site.assets.get(req.getParameter(0) ?? '');
    if (!asset) {
      res.cork(() => {
        res.writeStatus('404 Not Found').writeHeader('content-type', 'application/json').end('{"error":"not found"}');
      });
      return;
    }
    res.cork(() => {
      res
        .writeHeader('content-type', asset.type)
        .writeHeader('cache-control', 'public, max-age=31536000, immutable')
        .writeHeader('x-content-type-options', 'nosniff')
        .end(asset.body, draining());
    });
  });
}
