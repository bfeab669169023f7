/**
 * Browser Origin policy for upgrades (SPEC §4): with no ALLOWED_ORIGINS only the request's own
 * host may connect; otherwise the listed origins (scheme://host[:port]) or `*` for any.
 */
export function originPolicy(allowed: readonly string[]): (origin: string, host: string) => boolean {
  const list = new Set(allowed.map((o) => o.replace(/\/+$/, '').toLowerCase()));
  return (origin, host) => {
    if (list.has('*')) return true;
    const normalised = origin.toLowerCase();
    if (list.size > 0) return list.has(normalised);
    try {
      return new URL(normalised).host === host.toLowerCase();
    } catch {
      return false;
    }
  };
}
