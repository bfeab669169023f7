import type { Secrets } from '@banterbox/auth';
import type { HttpRoutes } from './http';
import { ensureSession, sessionRequest } from './session';

const NOT_FOUND = '{"error":"not found"}';

/** Mounted last: every other path answers 404; a GET sets the session cookie too (SPEC §4). */
export function mountNotFound(routes: HttpRoutes, secrets: Secrets): void {
  routes.get('/*', (res, req) => {
    const session = sessionRequest(req);
    res.writeStatus('404 Not Found');
    ensureSession(res, session, secrets);
    res.writeHeader('content-type', 'application/json').end(NOT_FOUND);
  });
  routes.any('/*', (res) => {
    res.writeStatus('404 Not Found').writeHeader('content-type', 'application/json').end(NOT_FOUND);
  });
}
