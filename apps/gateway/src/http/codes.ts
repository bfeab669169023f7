import { CLOSE_CODES, VOTE_ERROR_CODES } from '@banterbox/protocol';
import type { HttpRoutes } from './http';

/** The registry of close and error codes (SPEC §8), as clients in other languages read it: `GET /api/codes`. */
export function mountCodes(app: HttpRoutes): void {
  const body = JSON.stringify({ close: CLOSE_CODES, vote_errors: VOTE_ERROR_CODES });
  app.get('/api/codes', (res) => {
    res.cork(() => {
      res.writeHeader('content-type', 'application/json').writeHeader('cache-control', 'public, max-age=3600').end(body);
    });
  });
}
