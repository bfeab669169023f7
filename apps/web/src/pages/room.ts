import '../styles/app.css';
import { VoteClient } from '@banterbox/client';
import { STATE_LABELS, byId, h, showState, showText } from '../lib/dom';
import { connectionProblem, problem, showProblem } from '../lib/problems';
import { chosenLines, linesParam } from '../lib/lines';
import { roomCredentials, roomFromPath, roomInfo } from '../lib/room-auth';
import { showTally } from '../lib/tally';
import { WormChart, segmentLines, type ChartWindow } from '../lib/worm-chart';

/**
 * The worm page (/room/<room>): live chart, counts and vote buttons; the round's question, a
 * line per segment the viewer picks, the choice of segment a room asks for, and how long a vote
 * counts in a room whose votes expire (SPEC §9).
 */
const room = roomFromPath('room');
const message = byId('message');
const conn = byId('conn');
const problemBox = byId('problem');

/** Marks the button of the user's standing vote (none once it expired or a new round began). */
function showMyVote(connection: VoteClient): void {
  for (const button of byId('vote').querySelectorAll<HTMLButtonElement>('button[data-option]')) {
    button.setAttribute('aria-pressed', String(button.dataset.option === connection.currentVote));
  }
}

function renderButtons(options: string[], connection: VoteClient): void {
  const container = byId('vote');
  const update = (): void => {
    showMyVote(connection);
    showExpiry(connection);
  };
  container.replaceChildren(
    ...options.map((option) =>
      h(
        'button',
        {
          type: 'button',
          'data-option': option,
          'aria-pressed': 'false',
          onclick: () => {
            connection.vote(option);
            update();
          },
        },
        option,
      ),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'withdraw',
        onclick: () => {
          connection.vote('cancel');
          update();
        },
      },
      'Withdraw my vote',
    ),
  );
}

/** While not connected, or while voting is closed, the buttons say so: a click could not count. */
function setControlsLive(live: boolean): void {
  const container = byId('vote');
  container.dataset.live = String(live);
  for (const button of container.querySelectorAll<HTMLButtonElement>('button')) button.disabled = !live;
}

/**
 * In a room whose votes expire (SPEC §9 `vote_ttl_s`): how long the vote still counts, and a tap
 * on it (or on the same option) sends it again; once expired, the page says so.
 */
function showExpiry(connection: VoteClient): void {
  const line = byId('expiry');
  const ttl = connection.room?.voteTtlS;
  line.hidden = ttl === undefined;
  if (ttl === undefined) return;
  const expires = connection.voteExpiresAt;
  const left = expires === undefined ? 0 : Math.ceil((expires - Date.now()) / 1000);
  if (left > 0) {
    const time = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    line.replaceChildren(
      `Your vote counts for another ${time}. `,
      h('button', { type: 'button', class: 'link', onclick: () => reaffirm(connection) }, 'Still my vote'),
    );
    line.dataset.state = 'counting';
  } else {
    line.textContent =
      expires === undefined
        ? `A vote counts for ${ttl} s; tap again to keep it counting.`
        : 'Your vote expired. Tap your choice to vote again.';
    line.dataset.state = expires === undefined ? 'none' : 'expired';
  }
  showMyVote(connection);
}

function reaffirm(connection: VoteClient): void {
  const vote = connection.currentVote;
  if (vote !== undefined) connection.vote(vote);
  showExpiry(connection);
}

/** The room asks voters for their segment and this one has none: its choices, once (remembered in the browser). */
function askSegment(roomId: string, connection: VoteClient): void {
  const state = connection.room;
  const mine = connection.segment;
  const panel = byId('segment-ask');
  panel.hidden = mine !== undefined || state?.ask === undefined || (state.segments ?? []).length === 0;
  const label = byId('segment-mine');
  label.hidden = mine === undefined;
  label.textContent = mine === undefined ? '' : `You are counted in: ${mine}`;
  if (panel.hidden) return;
  byId('segment-question').textContent = state!.ask!;
  byId('segment-choices').replaceChildren(
    ...state!.segments!.map((segment) =>
      h(
        'button',
        {
          type: 'button',
          'data-segment': segment,
          onclick: () => {
            localStorage.setItem(segmentKey(roomId), segment);
            connection.chooseSegment(segment);
            askSegment(roomId, connection);
          },
        },
        segment,
      ),
    ),
  );
}

const segmentKey = (roomId: string): string => `banterbox.segment.${roomId}`;

/** The viewer's choice of lines (total, each segment) in a room with segments, kept in the URL fragment as `lines=`. */
function lineToggles(segments: readonly string[], chart: WormChart): void {
  if (segments.length === 0) return;
  const box = byId('lines');
  box.hidden = false;
  const fragment = new URLSearchParams(location.hash.slice(1));
  const chosen = chosenLines(fragment.get('lines'), segments);
  const boxes = ['total', ...segments].map((name, i) =>
    h('input', { type: 'checkbox', name: 'line', value: name, checked: i === 0 ? chosen.total : chosen.segments.includes(name) }),
  );
  const apply = (): void => {
    const picked = segments.filter((_, i) => boxes[i + 1]!.checked);
    chart.setLines(boxes[0]!.checked, picked);
    fragment.set('lines', linesParam(boxes[0]!.checked, picked, segments));
    history.replaceState(null, '', `#${fragment.toString()}`);
  };
  box.append(...boxes.map((input, i) => h('label', {}, input, ` ${i === 0 ? 'total' : segments[i - 1]!}`)));
  for (const input of boxes) input.addEventListener('change', apply);
  chart.setLines(chosen.total, chosen.segments);
}

/** Voting closed (SPEC §9): the page says so and the chart holds the result. */
function showVoting(closed: boolean): void {
  byId('voting').hidden = !closed;
  document.body.dataset.voting = closed ? 'closed' : 'open';
}

async function main(roomId: string): Promise<void> {
  byId('room-title').textContent = `Live vote: ${roomId}`;
  document.title = `${roomId} · banterbox`;
  byId<HTMLAnchorElement>('overlay-link').href = `/overlay/${encodeURIComponent(roomId)}${location.hash}`;
  const { options, segments, question } = await roomInfo(roomId);
  showText('question', question);
  const pair: [string, string] = [options[0] ?? 'yes', options[1] ?? 'no'];
  byId('label-a').textContent = pair[0];
  byId('label-b').textContent = pair[1];
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const chart = new WormChart(byId('chart'), {
    window: 60,
    axisColor: dark ? '#b4bac6' : '#4b5260',
    upColor: dark ? '#4ade80' : '#15803d',
    downColor: dark ? '#f87171' : '#b91c1c',
    showAxes: true,
    lines: segmentLines(segments),
  });
  lineToggles(segments, chart);
  const { getToken, renewable } = roomCredentials(roomId);
  const connection = new VoteClient({ url: location.origin, room: roomId, getToken })
    .on('joined', () => {
      byId('loading').hidden = true;
      message.textContent = '';
    })
    .on('points', (points) => {
      chart.addPoints(points, pair);
      showTally(points[points.length - 1]!, pair);
    })
    .on('state', (state, why) => {
      showState(conn, state, STATE_LABELS[state] ?? state);
      setControlsLive(state === 'live' && !connection.votingClosed);
      showProblem(problemBox, connectionProblem(state, connection.attempts, why?.reason, roomId, renewable));
      // Given up: nothing is loading any more.
      if (state === 'closed') byId('loading').hidden = true;
    })
    .on('markers', (markers) => chart.addMarkers(markers))
    .on('room', (state) => {
      showText('question', state.question);
      askSegment(roomId, connection);
      showExpiry(connection);
    })
    .on('round', () => {
      // A new round: its series starts empty and the vote is asked again.
      chart.clear();
      showMyVote(connection);
      showExpiry(connection);
      message.textContent = 'A new round has begun: vote again.';
    })
    .on('voting', ({ closed }) => {
      showVoting(closed);
      setControlsLive(connection.state === 'live' && !closed);
      if (!closed) message.textContent = '';
    })
    .on('error', ({ message: text }) => {
      message.textContent = text;
    });
  renderButtons(options, connection);
  setControlsLive(false);
  const chosen = localStorage.getItem(segmentKey(roomId));
  if (chosen !== null && segments.includes(chosen)) connection.chooseSegment(chosen);
  window.setInterval(() => {
    if (connection.room?.voteTtlS !== undefined) showExpiry(connection);
  }, 1000);
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="window"]')) {
    radio.addEventListener('change', () => chart.setWindow((radio.value === 'all' ? 'all' : Number(radio.value)) as ChartWindow));
  }
  connection.start();
  chart.start();
}

if (room) void main(room);
else {
  showState(conn, 'closed', STATE_LABELS.closed!);
  byId('loading').hidden = true;
  showProblem(problemBox, problem('bad_address'));
}
