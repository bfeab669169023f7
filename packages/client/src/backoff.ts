/**
 * Reconnect delays with full jitter: a random delay in [0, min(cap, base × 2^attempt)), so that a
 * crowd of clients dropped at once by a gateway restart does not come back all at once.
 */
export function backoffDelay(attempt: number, baseMs = 500, capMs = 15_000, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20)));
}
