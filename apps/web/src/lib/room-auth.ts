import { JoinRefused, type VoteCredentials } from './vote-connection';

/**
 * How this page joins a vote room: with the token in the URL fragment (`#token=…`, never sent to
 * the server in requests) when there is one, else as a guest through the session cookie, which
 * only rooms created open allow.
 */
export function roomCredentials(room: string): () => Promise<VoteCredentials> {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token) return async () => ({ token, renewable: false });
  return async () => {
    const response = await fetch(`/api/rooms/${encodeURIComponent(room)}/guest`, { method: 'POST', credentials: 'same-origin' });
    if (response.status === 404) throw new JoinRefused('not_found');
    if (response.status === 403) throw new JoinRefused('not_open');
    if (!response.ok) throw new Error(`guest join failed: HTTP ${response.status}`);
    const body = (await response.json()) as { token: string };
    return { token: body.token, renewable: true };
  };
}

/** A vote room's options; yes/no for a room not created yet (a token holder's join creates it so). */
export async function roomOptions(room: string): Promise<string[]> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(room)}`).catch(() => undefined);
  if (!response?.ok) return ['yes', 'no'];
  return ((await response.json()) as { options: string[] }).options;
}

/** The room id in a path like /room/<id> or /overlay/<id>, if valid. */
export function roomFromPath(prefix: string): string | undefined {
  const match = new RegExp(`^/${prefix}/([A-Za-z0-9_-]{1,64})/?$`).exec(location.pathname);
  return match?.[1];
}
