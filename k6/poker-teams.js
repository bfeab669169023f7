// Planning-poker teams: VUS estimators in teams of TEAM_SIZE on /connect. The first member of each
// team creates its room; everyone joins, estimates, the owner reveals once all have, checks the
// stats, clears, and the team plays ROUNDS rounds.
//
//   k6 run -e BANTERBOX_URL=http://127.0.0.1:8080 -e VUS=500 -e TEAM_SIZE=8 -e ROUNDS=5 k6/poker-teams.js
import { check } from 'k6';
import exec from 'k6/execution';
import { Trend } from 'k6/metrics';
import { clearTimeout, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { protocolErrors, sessionCookie, settings } from './lib/banterbox.js';

export { handleSummary } from './lib/banterbox.js';

const config = settings();
const VUS = config.number('VUS', 40);
const TEAM_SIZE = Math.max(1, config.number('TEAM_SIZE', 8));
const ROUNDS = config.number('ROUNDS', 3);
const TIMEOUT_S = config.number('TIMEOUT_S', 120);
const DECK = ['1', '2', '3', '5', '8', '13'];

/** From the owner's reveal request to its roomRevealed event, ms. */
const revealTime = new Trend('reveal_time', true);

export const options = {
  scenarios: {
    teams: { executor: 'per-vu-iterations', vus: VUS, iterations: 1, maxDuration: `${TIMEOUT_S + 30}s` },
  },
  thresholds: {
    reveal_time: ['p(95)<' + config.number('P95_MS', 500)],
    protocol_errors: ['count==0'],
    checks: ['rate==1'],
  },
  summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'max'],
};

export function setup() {
  return { run: config.run };
}

export default function (/** @type {{ run: string }} */ data) {
  const index = exec.vu.idInTest - 1;
  const team = Math.floor(index / TEAM_SIZE);
  const owner = index % TEAM_SIZE === 0;
  // A last team may be smaller than TEAM_SIZE.
  const size = Math.min(TEAM_SIZE, VUS - team * TEAM_SIZE);
  const roomId = `${data.run}-team-${team}`;
  const ws = new WebSocket(`${config.ws}/connect`, null, { headers: { Cookie: sessionCookie(config) } });
  const send = (/** @type {Record<string, unknown>} */ request) => ws.send(JSON.stringify(request));
  const estimated = new Set();
  let me = '';
  let members = 0;
  let rounds = 0;
  let revealAsked = 0;
  let done = false;

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let deadline;
  const finish = () => {
    if (done) return;
    done = true;
    // A pending timer would keep the iteration running (in k6 too).
    if (deadline !== undefined) clearTimeout(deadline);
    check(rounds, { 'played every round': (n) => n >= ROUNDS });
    ws.close();
  };
  const estimate = () =>
    setTimeout(() => send({ request: 'estimate', roomId, value: DECK[Math.floor(Math.random() * DECK.length)] }), Math.random() * 200);
  const join = () => send({ request: 'joinRoom', roomId });

  ws.onopen = () => {
    send({ request: 'setName', name: `member ${index % TEAM_SIZE} of team ${team}` });
    if (owner) send({ request: 'createRoom', roomId, topic: `story 1 of team ${team}`, deck: DECK });
    else join();
  };
  ws.onmessage = (event) => {
    const e = JSON.parse(String(event && event.data));
    switch (e.event) {
      case 'connectionInfo':
        me = e.userId;
        break;
      case 'error':
        // Members may arrive before their owner created the room: they try again.
        if (e.message === 'Room not found' && !owner) setTimeout(join, 250);
        else protocolErrors.add(1, { code: 'poker_error' });
        break;
      case 'userJoined':
        members += 1;
        if (e.user.id === me) estimate();
        break;
      case 'userLeft':
        members -= 1;
        break;
      case 'estimateUpdated':
        if (e.estimate === null) estimated.delete(e.userId);
        else estimated.add(e.userId);
        if (owner && !revealAsked && members === size && estimated.size === size) {
          revealAsked = Date.now();
          send({ request: 'reveal', roomId });
        }
        break;
      case 'roomRevealed':
        check(e.stats, { 'revealed with every estimate': (s) => s.count === size });
        if (owner) {
          revealTime.add(Date.now() - revealAsked);
          send({ request: 'clear', roomId });
        }
        break;
      case 'roomCleared':
        rounds += 1;
        estimated.clear();
        revealAsked = 0;
        if (rounds >= ROUNDS) finish();
        else estimate();
        break;
    }
  };
  ws.onerror = () => protocolErrors.add(1, { code: 'socket_error' });
  deadline = setTimeout(finish, TIMEOUT_S * 1000);
}
