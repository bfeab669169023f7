// Fan-out: VUS silent viewers in one vote room (ROOM, default the demo room), each watching for
// HOLD_S seconds; measures how late each tick's snapshot reaches them and whether any are missed.
//
//   k6 run -e BANTERBOX_URL=http://127.0.0.1:8080 -e VUS=5000 -e HOLD_S=60 k6/fanout-viewers.js
import { check } from 'k6';
import exec from 'k6/execution';
import { setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { protocolErrors, settings, snapshotWatcher, voteToken } from './lib/banterbox.js';

export { handleSummary } from './lib/banterbox.js';

const config = settings();
const VUS = config.number('VUS', 100);
const HOLD_S = config.number('HOLD_S', 60);
const TICK_MS = config.number('TICK_MS', 1000);

export const options = {
  scenarios: {
    // Every viewer connects once and stays: one iteration each.
    viewers: { executor: 'per-vu-iterations', vus: VUS, iterations: 1, maxDuration: `${HOLD_S + 60}s` },
  },
  thresholds: {
    snapshot_latency: ['p(50)<100', 'p(99)<' + config.number('P99_MS', 250)],
    missed_ticks: ['count<=' + config.number('MAX_MISSED_TICKS', 0)],
    protocol_errors: ['count==0'],
    checks: ['rate==1'],
  },
  summaryTrendStats: ['avg', 'p(50)', 'p(90)', 'p(99)', 'max'],
};

export function setup() {
  return { room: __ENV.ROOM || 'demo' };
}

export default function (/** @type {{ room: string }} */ data) {
  const user = `${config.run}-watcher-${exec.vu.idInTest}`;
  const token = voteToken(config, user, data.room);
  const watch = snapshotWatcher(TICK_MS);
  const ws = new WebSocket(`${config.ws}/api/vote_ws/`);
  let joined = false;
  let snapshots = 0;
  ws.onopen = () => ws.send(JSON.stringify({ auth: { token, room: data.room } }));
  ws.onmessage = (event) => {
    const kind = watch(String(event && event.data));
    if (kind === 'history') joined = true;
    if (kind === 'snapshot') snapshots += 1;
  };
  ws.onerror = () => protocolErrors.add(1, { code: 'socket_error' });
  setTimeout(() => {
    check(joined, { 'joined with the history': (j) => j });
    check(snapshots, { 'received the ticks': (n) => n >= Math.floor((HOLD_S * 1000) / TICK_MS) - 2 });
    ws.close();
  }, HOLD_S * 1000);
}
