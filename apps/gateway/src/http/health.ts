import type { HttpRoutes } from './http';

export interface Readiness {
  ready: boolean;
  /** What readiness was decided from, shown in the /readyz body. */
  checks: Record<string, unknown>;
}

/** Liveness and readiness (SPEC §3); they answer while draining, readiness with 503. */
export function mountHealth(app: HttpRoutes, readiness: () => Readiness): void {
  app.get('/healthz', (res) => {
    res.writeHeader('content-type', 'text/plain').end('ok');
  });

  app.get('/readyz', (res) => {
    const { ready, checks } = readiness();
    res.writeStatus(ready ? '200 OK' : '503 Service Unavailable').writeHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ready, ...checks }));
  });
}
