import type { HttpRequest, HttpResponse, us_socket_context_t } from 'uWebSockets.js';

export interface UpgradePolicy {
  /** Answers whether a browser Origin may open a socket (Host is the request's Host header). */
  originAllowed: (origin: string, host: string) => boolean;
  /**
   * Why new sockets are refused now ('draining', or 'not ready' until the lease was first
   * registered), or undefined while they are accepted.
   */
  refusal: () => string | undefined;
}

/**
 * Refuses an upgrade the gateway will not take: 503 while draining or before the lease was first
 * registered (docs/protocol-presence.md), 403 for a browser
 * Origin that is not allowed. Returns true when it answered (the caller must not upgrade).
 */
export function refuseUpgrade(res: HttpResponse, req: HttpRequest, policy: UpgradePolicy): boolean {
  const refusal = policy.refusal();
  if (refusal !== undefined) {
    res.writeStatus('503 Service Unavailable').writeHeader('retry-after', '1').end(refusal);
    return true;
  }
  const origin = req.getHeader('origin');
  if (origin !== '' && !policy.originAllowed(origin, req.getHeader('host'))) {
    res.writeStatus('403 Forbidden').end('origin not allowed');
    return true;
  }
  return false;
}

/** Completes a WebSocket upgrade synchronously inside the uWS upgrade handler. */
export function acceptUpgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t, userData: unknown): void {
  res.upgrade(
    userData,
    req.getHeader('sec-websocket-key'),
    req.getHeader('sec-websocket-protocol'),
    req.getHeader('sec-websocket-extensions'),
    context,
  );
}
