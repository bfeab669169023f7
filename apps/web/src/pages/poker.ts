import '../styles/app.css';
import { PokerClient, Refused, type PokerEvent } from '@banterbox/client';
import { DEFAULT_DECK, PokerLimits, type PokerMember, type PokerRequest } from '@banterbox/protocol';
import { STATE_LABELS, byId, h, showState } from '../lib/dom';
import { applyEvent, emptyState, resetRoom, sortedMembers, type PokerState } from '../lib/poker-state';
import { fetchRounds, pastRoundsPanel, type PastRound } from '../lib/poker-rounds';
import { connectionProblem, problem, showProblem } from '../lib/problems';
import { storeName, storedName } from '../lib/stored-name';

/** The poker page: /poker is the lobby, /poker/<room> a room. */
const state: PokerState = emptyState();
const app = byId('app');
const toast = byId('toast');
const problemBox = byId('problem');
/** The page waits for the server's word on the user's name before joining the room in the URL. */
let joinWhenNamed = false;
/** No name anywhere: the room view asks for one before joining. */
let askName = false;
/** The user id of the previous connection, to notice a new session. */
let previousUserId = '';
/** The owner of the room as it was before the last re-join (a reconnect resets the room first). */
let ownerBeforeRejoin: string | undefined;
let rounds: PastRound[] = [];

let spectator = new URLSearchParams(location.search).get('spectator') === '1';
/** The estimate to re-send if a reconnect finds it gone in the same round. */
let resend: PokerState['mine'];

const DECKS: Record<string, string[]> = {
  fibonacci: [...DEFAULT_DECK],
  tshirt: ['XS', 'S', 'M', 'L', 'XL', '?'],
  powers: ['0', '1', '2', '4', '8', '16', '32', '?'],
};

// Inputs live across renders, so typing is never interrupted by an incoming event.
const nameInput = h('input', { type: 'text', id: 'name', maxlength: PokerLimits.maxNameLength, autocomplete: 'nickname' });
const topicInput = h('input', {
  type: 'text',
  id: 'new-topic',
  maxlength: PokerLimits.maxTopicLength,
  placeholder: 'Story or topic (optional)',
});
const deckSelect = h(
  'select',
  { id: 'deck' },
  h('option', { value: 'fibonacci' }, `Fibonacci (${DECKS.fibonacci!.join(' ')})`),
  h('option', { value: 'tshirt' }, 'T-shirt sizes (XS–XL)'),
  h('option', { value: 'powers' }, 'Powers of two'),
  h('option', { value: 'custom' }, 'Custom…'),
);
const customDeck = h('input', { type: 'text', id: 'custom-deck', placeholder: 'Cards, comma separated: 1, 2, 3, ?', hidden: true });
const autoReveal = h('input', { type: 'checkbox', id: 'auto-reveal' });
const joinInput = h('input', { type: 'text', id: 'join-room', placeholder: 'Room id', pattern: '[A-Za-z0-9_-]{1,64}' });
const joinSpectator = h('input', { type: 'checkbox', id: 'join-spectator' });
const commentInput = h('input', {
  type: 'text',
  id: 'comment',
  maxlength: PokerLimits.maxCommentLength,
  placeholder: 'Comment (optional)',
});
const roomTopicInput = h('input', { type: 'text', id: 'topic', maxlength: PokerLimits.maxTopicLength, placeholder: 'Topic' });
deckSelect.addEventListener('change', () => {
  customDeck.hidden = deckSelect.value !== 'custom';
});

/** Upgrades refused in a row although /api/session answered: the page gives up and says so. */
const MAX_SESSION_REFUSALS = 3;
let sessionRefusals = 0;

/**
 * The /connect socket needs the session cookie. One that closes before it opened was refused (its
 * cookie no longer verifies, e.g. after the server got a new secret) or never reached the server:
 * `GET /api/session` tells which, and gives the browser a fresh session cookie if its own was
 * refused, so the next attempt gets in.
 */
async function checkRefusedUpgrade(): Promise<boolean> {
  const session = await fetch('/api/session', { cache: 'no-store', credentials: 'same-origin' }).catch(() => undefined);
  if (!session?.ok) return false;
  sessionRefusals += 1;
  if (sessionRefusals >= MAX_SESSION_REFUSALS) throw new Refused('session');
  return true;
}

// The page re-joins by itself (it may first restore the user's name), so the client does not.
const connection = new PokerClient({ url: location.origin, rejoin: false, checkRefusedUpgrade })
  .on('event', (event) => {
    handle(event);
    render();
  })
  .on('state', (s, why) => {
    showState(byId('conn'), s, STATE_LABELS[s] ?? s);
    // While disconnected nothing on the page can reach the server: it shows, and takes no clicks.
    app.inert = s !== 'live';
    showProblem(problemBox, connectionProblem(s, connection.attempts, why?.reason));
    if (s === 'live') {
      sessionRefusals = 0;
      if (state.roomId) joinOrAskName();
      render();
    }
  });

function say(text: string): void {
  toast.textContent = text;
  window.setTimeout(() => {
    if (toast.textContent === text) toast.textContent = '';
  }, 5000);
}

function roomInPath(): string | undefined {
  return /^\/poker\/([A-Za-z0-9_-]{1,64})\/?$/.exec(location.pathname)?.[1];
}

function go(roomId: string | undefined): void {
  history.pushState(null, '', roomId ? `/poker/${roomId}${spectator ? '?spectator=1' : ''}` : '/poker');
  state.roomId = roomId;
  rounds = [];
  resetRoom(state);
}

function join(): void {
  if (state.room) ownerBeforeRejoin = state.room.ownerId;
  resetRoom(state);
  resend = state.mine;
  askName = false;
  joinWhenNamed = false;
  connection.joinRoom(state.roomId!, { spectator });
}

/** Joins the room in the URL, first waiting to learn the user's name if this browser has none. */
function joinOrAskName(): void {
  if (storedName() || state.me.name) join();
  else joinWhenNamed = true;
}

function setName(name: string): void {
  storeName(name.trim());
  send({ kind: 'setName', name });
}

async function loadRounds(roomId: string): Promise<void> {
  const fetched = await fetchRounds(roomId);
  if (!fetched || roomId !== state.roomId) return;
  rounds = fetched;
  render();
}

/** What the server says about this user's name: keep it, restore it on a fresh session, or ask. */
function onOwnName(name: string | null): void {
  const kept = storedName();
  if (name) storeName(name);
  else if (kept) send({ kind: 'setName', name: kept });
  if (joinWhenNamed && state.roomId) {
    if (name || kept) join();
    else {
      joinWhenNamed = false;
      askName = true;
    }
  }
}

function send(request: PokerRequest): void {
  if (!connection.send(request)) say('Not connected; try again in a moment.');
}

function handle(event: PokerEvent): void {
  if (event.event === 'connectionInfo') {
    if (previousUserId && previousUserId !== event.userId) {
      const name = storedName();
      const owned = ownerBeforeRejoin === previousUserId;
      say(
        `The server no longer knew this browser's session (it was restarted with a new secret), so this is a new one${name ? `: you are back in as ${name}` : ''}.` +
          (owned ? ' It cannot tell you owned this room, so the owner controls stayed with your old session.' : ''),
      );
    }
    previousUserId = event.userId;
  }
  if (event.event === 'estimateUpdated' && event.userId === state.me.id && resend && event.roomId === state.roomId) {
    const room = state.room;
    if (event.estimate === null && room && !room.isRevealed && room.topic === resend.topic && !spectator) {
      send({ kind: 'estimate', roomId: room.id, estimate: { value: resend.value, comment: resend.comment } });
    }
    resend = undefined;
  }
  const outcome = applyEvent(state, event);
  if (outcome === 'snapshot-start' && state.roomId) void loadRounds(state.roomId);
  if (event.event === 'roomCleared' && state.roomId) void loadRounds(state.roomId);
  if (outcome === 'created' && event.event === 'roomCreated') go(event.roomId);
  else if (outcome === 'closed' || outcome === 'kicked') {
    say(outcome === 'closed' ? 'The room was closed.' : 'The owner removed you from the room.');
    state.mine = undefined;
    go(undefined);
  } else if (outcome === 'error' && event.event === 'error') {
    if (event.message === 'Room not found' && event.roomId === state.roomId && !state.room) {
      showProblem(problemBox, problem('not_found', event.roomId));
      go(undefined);
    } else say(event.detail ? `${event.message}: ${event.detail}` : event.message);
  }
  if (event.event === 'userUpdated' && event.user.id === state.me.id) {
    if (document.activeElement !== nameInput) nameInput.value = event.user.name ?? '';
    onOwnName(event.user.name);
  }
}

function lobby(): HTMLElement {
  const create = (e: Event): void => {
    e.preventDefault();
    showProblem(problemBox, undefined);
    const deck =
      deckSelect.value === 'custom'
        ? customDeck.value
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean)
        : DECKS[deckSelect.value];
    if (!connection.createRoom({ deck, autoReveal: autoReveal.checked, topic: topicInput.value }))
      say('Not connected; try again in a moment.');
  };
  const joinRoom = (e: Event): void => {
    e.preventDefault();
    const roomId = joinInput.value.trim();
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(roomId)) {
      say('A room id is 1 to 64 letters, digits, - or _.');
      return;
    }
    spectator = joinSpectator.checked;
    showProblem(problemBox, undefined);
    go(roomId);
    join();
  };
  return h(
    'div',
    { class: 'kinds' },
    nameForm(),
    h(
      'form',
      { class: 'panel', onsubmit: create },
      h('h2', {}, 'New room'),
      h('div', { class: 'row' }, h('label', { for: 'new-topic', class: 'visually-hidden' }, 'Topic'), topicInput),
      h('div', { class: 'row' }, h('label', { for: 'deck' }, 'Deck'), deckSelect),
      h('div', { class: 'row' }, h('label', { for: 'custom-deck', class: 'visually-hidden' }, 'Custom deck'), customDeck),
      h('div', { class: 'row' }, h('label', {}, autoReveal, 'Reveal when everyone has estimated')),
      h('button', { type: 'submit', class: 'primary' }, 'Create room'),
    ),
    h(
      'form',
      { class: 'panel', onsubmit: joinRoom },
      h('h2', {}, 'Join a room'),
      h('div', { class: 'row' }, h('label', { for: 'join-room', class: 'visually-hidden' }, 'Room id'), joinInput),
      h('div', { class: 'row' }, h('label', {}, joinSpectator, 'Join as a spectator (no estimate)')),
      h('button', { type: 'submit' }, 'Join'),
    ),
  );
}

function nameForm(): HTMLElement {
  const save = (e: Event): void => {
    e.preventDefault();
    if (nameInput.value.trim()) setName(nameInput.value);
  };
  return h(
    'form',
    { class: 'panel', onsubmit: save },
    h('h2', {}, 'Your name'),
    h(
      'div',
      { class: 'row' },
      h('label', { for: 'name', class: 'visually-hidden' }, 'Name'),
      nameInput,
      h('button', { type: 'submit' }, 'Save'),
    ),
  );
}

const who = (member: PokerMember): string => member.name ?? `Guest ${member.id.slice(0, 4)}`;

function mark(userId: string, member: PokerMember): HTMLElement {
  const estimate = state.estimates.get(userId);
  if (member.spectator) return h('span', { class: 'mark', 'data-mark': 'spectator' }, h('span', { class: 'badge' }, 'spectator'));
  if (estimate === null || estimate === undefined)
    return h('span', { class: 'mark', 'data-mark': 'none', 'aria-label': 'no estimate yet' }, '…');
  if ('value' in estimate) return h('span', { class: 'mark', 'data-mark': 'value', title: estimate.comment }, estimate.value);
  return h('span', { class: 'mark', 'data-mark': 'hidden', 'aria-label': 'has estimated' }, '✓');
}

function memberList(isOwner: boolean): HTMLElement {
  const items = sortedMembers(state).map((member) =>
    h(
      'li',
      { 'data-user': member.id },
      mark(member.id, member),
      h('span', { class: 'who' }, who(member), member.id === state.me.id ? ' (you)' : ''),
      member.id === state.room?.ownerId ? h('span', { class: 'badge' }, 'owner') : null,
      isOwner && member.id !== state.me.id
        ? h(
            'button',
            {
              type: 'button',
              'data-key': `kick-${member.id}`,
              onclick: () => send({ kind: 'kick', roomId: state.roomId!, userId: member.id }),
            },
            'Kick',
          )
        : null,
      isOwner && member.id !== state.me.id
        ? h(
            'button',
            {
              type: 'button',
              'data-key': `owner-${member.id}`,
              onclick: () => send({ kind: 'transferOwnership', roomId: state.roomId!, userId: member.id }),
            },
            'Make owner',
          )
        : null,
    ),
  );
  return h(
    'section',
    { class: 'panel', 'aria-label': 'Members' },
    h('h2', {}, `Members (${state.members.size})`),
    h('ul', { class: 'members', id: 'members' }, ...items),
  );
}

/** Sends an estimate and remembers it: the server shows it to everyone, this page included, as `{}`. */
function estimate(card: string): void {
  const room = state.room!;
  if (!connection.estimate(room.id, card, commentInput.value.trim())) {
    say('Not connected; try again in a moment.');
    return;
  }
  state.mine = { value: card, comment: commentInput.value.trim(), topic: room.topic };
  render();
}

function deck(): HTMLElement {
  const room = state.room!;
  const mine = state.mine?.value;
  const cards = room.deck.map((card) =>
    h(
      'button',
      {
        type: 'button',
        'data-key': `card-${card}`,
        'data-card': card,
        'aria-pressed': String(card === mine),
        disabled: spectator,
        onclick: () => estimate(card),
      },
      card,
    ),
  );
  return h(
    'section',
    { class: 'panel', 'aria-label': 'Your estimate' },
    h('h2', {}, spectator ? 'Spectating' : 'Your estimate'),
    h('div', { class: 'deck', role: 'group', 'aria-label': 'Cards' }, ...cards),
    h(
      'div',
      { class: 'row' },
      h('label', { for: 'comment', class: 'visually-hidden' }, 'Comment'),
      commentInput,
      h(
        'button',
        {
          type: 'button',
          'data-key': 'withdraw',
          disabled: spectator || !mine,
          onclick: () => send({ kind: 'estimate', roomId: room.id, estimate: null }),
        },
        'Withdraw',
      ),
    ),
  );
}

function results(): HTMLElement | null {
  if (!state.revealed) return null;
  const { stats } = state.revealed;
  const top = Math.max(1, ...Object.values(stats.distribution));
  const bars = Object.entries(stats.distribution).map(([card, n]) => {
    const fill = h('span', { class: 'fill' });
    fill.style.width = `${(n / top) * 100}%`; // a style property, which the page's CSP allows
    return h('li', { 'data-card': card }, h('span', {}, card), fill, h('span', {}, String(n)));
  });
  const figure = (value: number | null): string => (value === null ? '—' : String(value));
  return h(
    'section',
    { class: 'panel stats', id: 'stats', 'aria-label': 'Results' },
    h('h2', {}, 'Results', stats.consensus ? h('span', { class: 'consensus' }, ' · consensus!') : ''),
    h(
      'dl',
      {},
      h('dt', {}, 'Estimates'),
      h('dd', { 'data-stat': 'count' }, String(stats.count)),
      h('dt', {}, 'Mean'),
      h('dd', { 'data-stat': 'mean' }, figure(stats.mean)),
      h('dt', {}, 'Median'),
      h('dd', { 'data-stat': 'median' }, figure(stats.median)),
      h('dt', {}, 'Range'),
      h('dd', { 'data-stat': 'range' }, stats.min === null ? '—' : `${stats.min} – ${stats.max}`),
    ),
    h('ul', { class: 'histogram', 'aria-label': 'Distribution' }, ...bars),
  );
}

function ownerControls(): HTMLElement {
  const room = state.room!;
  return h(
    'section',
    { class: 'panel', 'aria-label': 'Owner controls' },
    h('h2', {}, 'Owner controls'),
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          'data-key': 'reveal',
          disabled: room.isRevealed,
          onclick: () => send({ kind: 'reveal', roomId: room.id }),
        },
        'Reveal',
      ),
      h(
        'button',
        { type: 'button', 'data-key': 'hide', disabled: !room.isRevealed, onclick: () => send({ kind: 'hide', roomId: room.id }) },
        'Hide',
      ),
      h('button', { type: 'button', 'data-key': 'clear', onclick: () => send({ kind: 'clear', roomId: room.id }) }, 'Clear'),
    ),
    h(
      'form',
      {
        class: 'row',
        onsubmit: (e: Event) => {
          e.preventDefault();
          send({ kind: 'setTopic', roomId: room.id, topic: roomTopicInput.value });
        },
      },
      h('label', { for: 'topic', class: 'visually-hidden' }, 'Topic'),
      roomTopicInput,
      h('button', { type: 'submit' }, 'Set topic'),
    ),
  );
}

/** Someone who came by a share link and has no name yet is asked for one before joining. */
function namePrompt(): HTMLElement {
  const joinNamed = (e: Event): void => {
    e.preventDefault();
    if (nameInput.value.trim()) setName(nameInput.value);
    join();
  };
  return h(
    'form',
    { class: 'panel', id: 'name-prompt', onsubmit: joinNamed },
    h('h2', {}, `Join ${state.roomId ?? ''}`),
    h('p', {}, 'What should the others see you as?'),
    h(
      'div',
      { class: 'row' },
      h('label', { for: 'name', class: 'visually-hidden' }, 'Name'),
      nameInput,
      h('button', { type: 'submit', class: 'primary' }, 'Join'),
    ),
    h('button', { type: 'button', onclick: () => join() }, 'Join without a name'),
  );
}

function roomView(): HTMLElement {
  const room = state.room;
  if (askName) return namePrompt();
  if (!room) return h('p', { class: 'panel', 'aria-busy': 'true' }, `Joining ${state.roomId ?? ''}…`);
  const isOwner = room.ownerId === state.me.id;
  const link = `${location.origin}/poker/${room.id}`;
  const shareInput = h('input', { type: 'text', readonly: true, value: link, id: 'share', 'aria-label': 'Share link' });
  const toggleSpectator = h('input', {
    type: 'checkbox',
    id: 'spectator',
    checked: spectator,
    onchange: () => {
      spectator = !spectator;
      send({ kind: 'leaveRoom', roomId: room.id });
      join();
    },
  });
  if (document.activeElement !== roomTopicInput) roomTopicInput.value = room.topic;
  return h(
    'div',
    {},
    h(
      'section',
      { class: 'panel' },
      h('h2', { id: 'room-topic' }, room.topic || 'No topic yet'),
      h(
        'div',
        { class: 'row' },
        shareInput,
        h(
          'button',
          {
            type: 'button',
            'data-key': 'copy',
            onclick: () => {
              void navigator.clipboard?.writeText(link).then(() => say('Link copied.'));
              shareInput.select();
            },
          },
          'Copy link',
        ),
      ),
      h(
        'div',
        { class: 'row' },
        h('label', {}, toggleSpectator, 'Spectator'),
        h(
          'button',
          {
            type: 'button',
            'data-key': 'leave',
            onclick: () => {
              send({ kind: 'leaveRoom', roomId: room.id });
              state.mine = undefined;
              go(undefined);
              render();
            },
          },
          'Leave room',
        ),
      ),
    ),
    h(
      'div',
      { class: 'poker-grid' },
      h('div', {}, deck(), results(), pastRoundsPanel(room.id, rounds)),
      h('div', {}, memberList(isOwner), isOwner ? ownerControls() : null, nameForm()),
    ),
  );
}

/** Re-renders, keeping focus on the element with the same data-key (inputs are kept as they are). */
function render(): void {
  const focused = (document.activeElement as HTMLElement | null)?.dataset.key;
  byId('title').textContent = state.roomId ? `Planning poker · ${state.room?.topic || state.roomId}` : 'Planning poker';
  app.replaceChildren(state.roomId ? roomView() : lobby());
  if (focused) app.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
}

window.addEventListener('popstate', () => {
  state.roomId = roomInPath();
  rounds = [];
  resetRoom(state);
  if (state.roomId) joinOrAskName();
  render();
});

state.roomId = roomInPath();
if (!state.roomId && /^\/poker\/./.test(location.pathname)) showProblem(problemBox, problem('bad_address'));
if (!nameInput.value) nameInput.value = storedName();
app.inert = true;
render();
connection.start();
