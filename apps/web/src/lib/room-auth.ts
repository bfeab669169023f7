import { Refused } from '@banterbox/client';

/**
 * How this page gets a token for a vote room (the client's `getToken`): the token in the URL
 * fragment (`#token=…`, never sent to the server in requests) when there is one, which cannot be
 * renewed; else a guest token through the session cookie, minted anew on every call, which only
 * rooms created open allow. `renewable` says which, for the page's wording when a token is refused.
 */
export function roomCredentials(room: string): { getToken: () => Promise<string>; renewable: boolean } {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token) return { getToken: async () => token, renewable: false };
  return {
    renewable: true,
    getToken: async () => {
      const response = await fetch(`/api/rooms/${encodeURIComponent(room)}/guest`, { method: 'POST', credentials: 'same-origin' });
      if (response.status === 404) throw new Refused('not_found');
      if (response.status === 403) throw new Refused('not_open');
      if (!response.ok) throw new Error(`guest join failed: HTTP ${response.status}`);
      return ((await response.json()) as { token: string }).token;
    },
  };
}

/** What a page needs of a vote room before it joins (GET /api/rooms/<room>). */
export interface RoomInfo {
  options: string[];
  segments: string[];
  question: string | undefined;
}

/** A vote room's options, segments and question; yes/no for a room not created yet (a token holder's join creates it so). */
export async function roomInfo(room: string): Promise<RoomInfo> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(room)}`).catch(() => undefined);
  if (!response?.ok) return { options: ['yes', 'no'], segments: [], question: undefined };
  const body = (await response.json()) as { options: string[]; segments: string[] | null; question: string | null };
  return { options: body.options, segments: body.segments ?? [], question: body.question ?? undefined };
}

/** The room id in a path like /room/<id> or /overlay/<id>, if valid. */
export function roomFromPath(prefix: string): string | undefined {
  const match = new RegExp(`^/${prefix}/([A-Za-z0-9_-]{1,64})/?$`).exec(location.pathname);
  return match?.[1];
}
