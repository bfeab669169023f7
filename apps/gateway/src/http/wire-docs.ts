import { CLOSE_CODES, VOTE_ERROR_CODES } from '@banterbox/protocol';
import { asyncApiDocument, openApiDocument } from '@banterbox/wire';
import type { HttpRoutes } from './http';

/**
 * The wire described, for clients in any language (SPEC §8): the close and error code registry
 * (`GET /api/codes`), the AsyncAPI 3 document of the socket endpoints (`GET /api/asyncapi.json`)
 * and the OpenAPI 3.1 document of the HTTP API (`GET /api/openapi.json`). Each is serialized once.
 */
export function mountWireDocs(app: HttpRoutes): void {
  const documents: Record<string, string> = {
    '/api/codes': JSON.stringify({ close: CLOSE_CODES, vote_errors: VOTE_ERROR_CODES }),
    '/api/asyncapi.json': JSON.stringify(asyncApiDocument()),
    '/api/openapi.json': JSON.stringify(openApiDocument()),
  };
  for (const [path, body] of Object.entries(documents)) {
    app.get(path, (res) => {
      res.cork(() => {
        res
          .writeHeader('content-type', 'application/json')
          .writeHeader('cache-control', 'public, max-age=3600')
          .writeHeader('access-control-allow-origin', '*')
          .end(body);
      });
    });
  }
}
