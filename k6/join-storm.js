// A join storm: a stream starts and viewers pour in. Joins arrive at a rate ramping up to
// PEAK_RATE a second over RAMP_S seconds into one room (ROOM, default the demo room); each join
// authenticates, receives the room's history and leaves. Reports the time to the history and its
// size per join.
//
//   k6 run -e BANTERBOX_URL=http://127.0.0.1:8080 -e PEAK_RATE=2000 -e RAMP_S=10 k6/join-storm.js
import { check } from 'k6';
import exec from 'k6/execution';
import { Trend } from 'k6/metrics';
import { WebSocket } from 'k6/websockets';
import { protocolErrors, settings, voteToken } from './lib/banterbox.js';

export { handleSummary } from './lib/banterbox.js';

const config = settings();
const PEAK_RATE = config.number('PEAK_RATE', 200);
const RAMP_S = config.number('RAMP_S', 10);

/** From the socket opening to the history frame, ms. */
const joinTime = new Trend('join_time', true);
/** Bytes of the history frame (as received: after any compression the socket negotiated). */
const historyBytes = new Trend('history_bytes');

export const options = {
  scenarios: {
    storm: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: config.number('VUS', 50),
      maxVUs: config.number('MAX_VUS', 2000),
      stages: [
        { target: PEAK_RATE, duration: `${RAMP_S}s` },
        { target: PEAK_RATE, duration: `${config.number('HOLD_S', 5)}s` },
      ],
    },
  },
  thresholds: {
    join_time: ['p(95)<' + config.number('P95_MS', 1000)],
    protocol_errors: ['count==0'],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'],
};

export function setup() {
  return { room: __ENV.ROOM || 'demo' };
}

export default function (/** @type {{ room: string }} */ data) {
  const user = `${config.run}-joiner-${exec.scenario.iterationInTest}`;
  const token = voteToken(config, user, data.room);
  const ws = new WebSocket(`${config.ws}/api/vote_ws/`);
  let opened = 0;
  ws.onopen = () => {
    opened = Date.now();
    // The compact history frame (about a ninth of the bytes) unless COMPACT=0.
    ws.send(JSON.stringify({ auth: { token, room: data.room, compact: __ENV.COMPACT !== '0' } }));
  };
  ws.onmessage = (event) => {
    const text = String(event && event.data);
    const frame = JSON.parse(text);
    if (frame.error) protocolErrors.add(1, { code: String(frame.error.code) });
    else {
      joinTime.add(Date.now() - opened);
      historyBytes.add(text.length);
    }
    check(frame, { 'joined with the history': (f) => Array.isArray(f.data) || (f.history && Array.isArray(f.history.ts)) });
    ws.close();
  };
  ws.onerror = () => protocolErrors.add(1, { code: 'socket_error' });
}
