import { setTimeout as sleep } from 'node:timers/promises';
import { CloseCode } from '@banterbox/protocol';
import type { Logger } from '@banterbox/logger';
import type { GatewaySocket } from '../feature';

/** While draining, sockets are closed in steps at least this far apart, spread over DRAIN_MS. */
const DRAIN_STEP_MS = 100;

/**
 * Closes every socket with 1012, spread over `drainMs` in steps, so clients reconnect to other
 * gateways gradually instead of all at once. `openSockets` is read again before every step: a
 * socket that closed meanwhile is not touched.
 */
export async function closeGradually(openSockets: () => GatewaySocket[], drainMs: number, log: Logger): Promise<void> {
  const all = openSockets();
  const steps = Math.max(1, Math.min(all.length, Math.floor(drainMs / DRAIN_STEP_MS)));
  log.info({ sockets: all.length, drainMs }, 'draining: closing sockets');
  for (let step = 0; step < steps; step += 1) {
    const open = new Set(openSockets());
    const batch = all.slice(Math.floor((step * all.length) / steps), Math.floor(((step + 1) * all.length) / steps));
    for (const ws of batch) if (open.has(ws)) ws.end(CloseCode.ServiceRestart, 'gateway restarting');
    if (step < steps - 1) await sleep(drainMs / steps);
  }
}
