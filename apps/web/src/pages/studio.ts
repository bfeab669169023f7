import '../styles/app.css';
import qrcode from 'qrcode-generator';
import { VoteClient, type TallyPoint } from '@banterbox/client';
import { STATE_LABELS, byId, h, showState, showText } from '../lib/dom';

/**
 * The streamer's console (/studio), narrow enough for an OBS custom dock: sign in with the admin
 * key or a moderator token (kept for this tab only), create or pick a vote room, copy the audience
 * link (with a QR code made here) and the overlay URL (previewed live), watch the tally (each
 * segment's too) and the votes a second, close, open and reset voting to a new round, drop markers
 * and download any round's series. Everything goes through the HTTP API.
 */
const STORAGE_KEY = 'banterbox.studio';
const conn = byId('conn');

interface Credentials {
  secret: string;
  /** The room of a moderator token (`*` for any room); undefined for the admin key. */
  moderatorRoom: string | undefined;
}

/** The claims of a JWT, read without verifying (the server verifies); undefined if it is not one. */
function claims(token: string): { room?: unknown; role?: unknown } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return JSON.parse(atob(parts[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { room?: unknown; role?: unknown };
  } catch {
    return undefined;
  }
}

/** The credentials this tab signed in with, if it did. */
function storedCredentials(): Credentials | undefined {
  const stored = sessionStorage.getItem(STORAGE_KEY);
  return stored === null ? undefined : (JSON.parse(stored) as Credentials);
}

/** Calls the HTTP API with the credentials; throws an Error with the server's reason. */
async function api(credentials: Credentials, path: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${credentials.secret}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) {
    let reason = `HTTP ${response.status}`;
    try {
      reason = (JSON.parse(text) as { error?: string }).error ?? reason;
    } catch {
      // not JSON: the status says it
    }
    throw new Error(reason);
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Checks what was typed: a moderator token, or the admin key (asked of an admin-only endpoint). */
async function signIn(secret: string): Promise<Credentials> {
  const token = claims(secret);
  if (token !== undefined) {
    if (token.role !== 'moderator' || typeof token.room !== 'string') throw new Error('that token is not a moderator token');
    return { secret, moderatorRoom: token.room };
  }
  const credentials = { secret, moderatorRoom: undefined };
  await api(credentials, '/api/webhooks?limit=1').catch(() => {
    throw new Error('that is not the admin key of this server');
  });
  return credentials;
}

/** Says what happened: `ok` for done, otherwise an error. */
function message(id: string, text: string, ok = false): void {
  const element = byId(id);
  element.textContent = text;
  element.dataset.kind = ok ? 'ok' : 'error';
}

function show(section: 'signin' | 'pick' | 'console'): void {
  for (const id of ['signin', 'pick', 'console']) byId(id).hidden = id !== section;
  byId('signout').hidden = section === 'signin';
}

/** The overlay URL for `roomId` from the form, with `fragment` (a token) if the room needs one. */
function overlayUrl(roomId: string, fragment: string): string {
  const value = (id: string): string => byId<HTMLInputElement>(id).value;
  const params = new URLSearchParams({ w: value('ov-w'), h: value('ov-h'), font: value('ov-font') });
  if (value('ov-theme') === 'light') params.set('theme', 'light');
  if (byId<HTMLInputElement>('ov-counts').checked) params.set('counts', '1');
  if (byId<HTMLInputElement>('ov-hide').checked) params.set('closed', 'hide');
  if (!byId<HTMLInputElement>('ov-question').checked) params.set('question', '0');
  if (!byId('ov-lines-label').hidden && value('ov-lines') !== 'total') params.set('lines', value('ov-lines'));
  return `${location.origin}/overlay/${encodeURIComponent(roomId)}?${params.toString()}${fragment}`;
}

function copyButton(button: string, input: string): void {
  byId(button).addEventListener('click', () => {
    const field = byId<HTMLInputElement>(input);
    field.select();
    void navigator.clipboard?.writeText(field.value).catch(() => undefined);
  });
}

/** The round picked for the download and the replay (the current one when none is). */
const pickedRound = (): string => byId<HTMLSelectElement>('series-round').value;

async function download(credentials: Credentials, roomId: string, format: 'csv' | 'json'): Promise<void> {
  const round = pickedRound();
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/series?format=${format}&round=${round}`, {
    headers: { authorization: `Bearer ${credentials.secret}` },
  });
  if (!response.ok) throw new Error(`the series could not be read (HTTP ${response.status})`);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = `${roomId}-round-${round}.${format}`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

const counts = (votes: Record<string, number>): string =>
  Object.entries(votes)
    .map(([option, count]) => `${option} ${count}`)
    .join(' · ');

/** The newest point: the tally, each segment's, viewers, and votes a second (the votes counted since the point before). */
function showTally(point: TallyPoint, before: TallyPoint | undefined): void {
  byId('tally').textContent = counts(point.votes);
  byId('viewers').textContent = String(point.connected);
  const bySegment = byId('segment-tally');
  bySegment.hidden = point.segments === undefined;
  bySegment.textContent = Object.entries(point.segments ?? {})
    .map(([segment, votes]) => `${segment}: ${counts(votes)}`)
    .join(' | ');
  if (before === undefined || point.ts <= before.ts) return;
  const added = Object.entries(point.votes).reduce((sum, [option, count]) => sum + Math.max(0, count - (before.votes[option] ?? 0)), 0);
  byId('rate').textContent = String(Math.round(added / ((point.ts - before.ts) / 1000)));
}

/** The rounds of the room in the series picker, the current one (last) picked. */
async function listRounds(roomId: string): Promise<void> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/rounds`);
  if (!response.ok) return;
  const { rounds } = (await response.json()) as { rounds: { round: number; question: string }[] };
  byId('series-round').replaceChildren(
    ...rounds.map(({ round, question }, i) =>
      h('option', { value: String(round), selected: i === rounds.length - 1 }, `${round}${question ? `: ${question.slice(0, 40)}` : ''}`),
    ),
  );
}

async function runRoom(credentials: Credentials, roomId: string): Promise<void> {
  const room = (await api(credentials, `/api/rooms/${encodeURIComponent(roomId)}`)) as {
    open: boolean;
    closed: boolean;
    question: string | null;
    segments: string[] | null;
  };
  showText('console-question', room.question ?? undefined);
  byId('ov-lines-label').hidden = room.segments === null;
  await listRounds(roomId);
  show('console');
  const panel = byId('console');
  panel.dataset.room = roomId;
  byId('console-title').textContent = roomId;
  history.replaceState(null, '', `/studio#room=${encodeURIComponent(roomId)}`);

  const audience = `${location.origin}/room/${encodeURIComponent(roomId)}`;
  byId<HTMLInputElement>('audience-link').value = audience;
  const qr = qrcode(0, 'M');
  qr.addData(audience);
  qr.make();
  byId<HTMLImageElement>('qr').src = qr.createDataURL(4, 8);

  // The overlay of a room that is not open needs a viewer token: the admin mints a 30-day one.
  let fragment = '';
  if (!room.open && credentials.moderatorRoom === undefined) {
    const minted = (await api(credentials, '/api/tokens', {
      method: 'POST',
      body: { user_id: 'overlay', room: roomId, ttl_s: 30 * 24 * 3600 },
    })) as { token: string };
    fragment = `#token=${minted.token}`;
  } else if (!room.open) {
    message('console-message', 'The room is not open to guests: the overlay needs a viewer token from your platform (#token=…).');
  }
  const replayLink = (): void => {
    byId<HTMLAnchorElement>('replay-link').href = `/replay/${encodeURIComponent(roomId)}?round=${pickedRound()}${fragment}`;
  };
  byId('series-round').addEventListener('change', replayLink);
  replayLink();
  const updateOverlay = (): void => {
    const url = overlayUrl(roomId, fragment);
    byId<HTMLInputElement>('overlay-url').value = url;
    const preview = byId<HTMLIFrameElement>('overlay-preview');
    // Previewed over a scene it is made for: light text over a dark one, dark text over a light one.
    preview.style.background = byId<HTMLSelectElement>('ov-theme').value === 'light' ? '#f1f5f9' : '#1e293b';
    if (preview.src !== url) preview.src = url;
  };
  for (const id of ['ov-w', 'ov-h', 'ov-font', 'ov-theme', 'ov-counts', 'ov-hide', 'ov-question', 'ov-lines']) {
    byId(id).addEventListener('change', updateOverlay);
  }
  updateOverlay();

  const getToken = async (): Promise<string> =>
    credentials.moderatorRoom !== undefined
      ? credentials.secret
      : (
          (await api(credentials, '/api/tokens', { method: 'POST', body: { user_id: 'studio', room: roomId, role: 'moderator' } })) as {
            token: string;
          }
        ).token;
  let markers = 0;
  let before: TallyPoint | undefined;
  const client = new VoteClient({ url: location.origin, room: roomId, getToken, observe: true })
    .on('points', (points) => {
      const point = points[points.length - 1]!;
      showTally(point, points.length > 1 ? points[points.length - 2] : before);
      before = point;
    })
    .on('room', (state) => showText('console-question', state.question))
    .on('round', ({ round }) => {
      panel.dataset.round = String(round);
      before = undefined;
      void listRounds(roomId).then(replayLink);
    })
    .on('voting', ({ closed }) => {
      byId('voting-state').textContent = closed ? 'voting closed' : 'voting open';
      panel.dataset.voting = closed ? 'closed' : 'open';
    })
    .on('markers', (added) => {
      markers += added.length;
      panel.dataset.markers = String(markers);
    })
    .on('state', (state) => showState(conn, state, STATE_LABELS[state] ?? state));
  panel.dataset.voting = room.closed ? 'closed' : 'open';
  byId('voting-state').textContent = room.closed ? 'voting closed' : 'voting open';
  client.start();

  const act = (run: () => Promise<unknown>, done: string) => () => {
    run().then(
      () => message('console-message', done, true),
      (error: unknown) => message('console-message', error instanceof Error ? error.message : String(error)),
    );
  };
  const path = `/api/rooms/${encodeURIComponent(roomId)}`;
  byId('close-voting').addEventListener(
    'click',
    act(() => api(credentials, `${path}/close`, { method: 'POST' }), 'Voting is closed.'),
  );
  byId('open-voting').addEventListener(
    'click',
    act(() => api(credentials, `${path}/open`, { method: 'POST' }), 'Voting is open.'),
  );
  byId('reset-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const question = byId<HTMLInputElement>('reset-question');
    act(
      () => api(credentials, `${path}/reset`, { method: 'POST', body: { question: question.value } }),
      `A new round: "${question.value}".`,
    )();
    question.value = '';
  });
  byId('marker-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const label = byId<HTMLInputElement>('marker-label');
    act(() => api(credentials, `${path}/markers`, { method: 'POST', body: { label: label.value } }), `Marker "${label.value}" added.`)();
    label.value = '';
  });
  byId('download-csv').addEventListener(
    'click',
    act(() => download(credentials, roomId, 'csv'), 'Downloading the series (CSV).'),
  );
  byId('download-json').addEventListener(
    'click',
    act(() => download(credentials, roomId, 'json'), 'Downloading the series (JSON).'),
  );
}

function signedIn(credentials: Credentials): void {
  showState(conn, 'closed', credentials.moderatorRoom === undefined ? 'Admin' : 'Moderator');
  const wanted = new URLSearchParams(location.hash.slice(1)).get('room');
  const fixed = credentials.moderatorRoom !== undefined && credentials.moderatorRoom !== '*' ? credentials.moderatorRoom : undefined;
  byId('create-form').hidden = credentials.moderatorRoom !== undefined;
  const roomId = fixed ?? wanted ?? undefined;
  if (roomId) {
    runRoom(credentials, roomId).catch((error: unknown) => {
      show('pick');
      message('pick-message', error instanceof Error ? error.message : String(error));
    });
    return;
  }
  show('pick');
}

function main(): void {
  copyButton('copy-audience', 'audience-link');
  copyButton('copy-overlay', 'overlay-url');
  byId('signout').addEventListener('click', () => {
    sessionStorage.removeItem(STORAGE_KEY);
    location.assign('/studio');
  });
  byId('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    signIn(byId<HTMLInputElement>('secret').value.trim()).then(
      (credentials) => {
        sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credentials));
        signedIn(credentials);
      },
      (error: unknown) => message('signin-message', error instanceof Error ? error.message : String(error)),
    );
  });
  const pick = (roomId: string): void => {
    runRoom(storedCredentials()!, roomId).catch((error: unknown) =>
      message('pick-message', error instanceof Error ? error.message : String(error)),
    );
  };
  byId('create-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = (id: string): string => byId<HTMLInputElement>(id).value.trim();
    const body: Record<string, unknown> = {
      options: value('new-options')
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
      open: byId<HTMLInputElement>('new-open').checked,
      voter_shards: Number(value('new-shards') || '1'),
    };
    if (value('new-room') !== '') body.room = value('new-room');
    if (value('new-question') !== '') body.question = value('new-question');
    const segments = value('new-segments')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (segments.length > 0) body.segments = segments;
    if (value('new-segment-question') !== '') body.segment_question = value('new-segment-question');
    if (value('new-ttl') !== '') body.vote_ttl_s = Number(value('new-ttl'));
    if (value('new-history') !== '') body.history_limit = Number(value('new-history'));
    if (value('new-swing') !== '')
      body.swing = { threshold: Number(value('new-swing')), window_s: Number(value('new-swing-window') || '10') };
    api(storedCredentials()!, '/api/rooms', { method: 'POST', body }).then(
      (created) => pick((created as { room: string }).room),
      (error: unknown) => message('pick-message', error instanceof Error ? error.message : String(error)),
    );
  });
  byId('existing-form').addEventListener('submit', (event) => {
    event.preventDefault();
    pick(byId<HTMLInputElement>('existing').value.trim());
  });
  const stored = storedCredentials();
  if (stored) signedIn(stored);
}

main();
