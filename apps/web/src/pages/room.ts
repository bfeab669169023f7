import '../styles/app.css';
import { VoteClient } from '@banterbox/client';
import { STATE_LABELS, byId, h, showState } from '../lib/dom';
import { connectionProblem, problem, showProblem } from '../lib/problems';
import { roomCredentials, roomFromPath, roomOptions } from '../lib/room-auth';
import { showTally } from '../lib/tally';
import { WormChart, type ChartWindow } from '../lib/worm-chart';

/** The worm page (/room/<room>): live chart, counts and vote buttons. */
const room = roomFromPath('room');
const message = byId('message');
const conn = byId('conn');
const problemBox = byId('problem');

function renderButtons(options: string[], connection: VoteClient): void {
  const container = byId('vote');
  const update = (): void => {
    for (const button of container.querySelectorAll<HTMLButtonElement>('button[data-option]')) {
      button.setAttribute('aria-pressed', String(button.dataset.option === connection.currentVote));
    }
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

/** Voting closed (SPEC §9): the page says so and the chart holds the result. */
function showVoting(closed: boolean): void {
  byId('voting').hidden = !closed;
  document.body.dataset.voting = closed ? 'closed' : 'open';
}

async function main(roomId: string): Promise<void> {
  byId('room-title').textContent = `Live vote: ${roomId}`;
  document.title = `${roomId} · banterbox`;
  byId<HTMLAnchorElement>('overlay-link').href = `/overlay/${encodeURIComponent(roomId)}${location.hash}`;
  const options = await roomOptions(roomId);
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
  });
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
