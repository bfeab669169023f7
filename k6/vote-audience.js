// A live audience: VUS viewers spread over ROOMS vote rooms, each holding a vote and changing it
// VOTES_PER_MIN times a minute while it watches the worm for HOLD_S seconds.
//
//   k6 run -e BANTERBOX_URL=https://banterbox.example.com -e BANTERBOX_ADMIN_KEY=… \
//          -e ROOMS=10 -e VUS=2000 -e DURATION=5m k6/vote-audience.js
//
// With SEGMENTS=n (1 to 8, needs the admin key) the rooms count n segments apart (SPEC §9): each
// viewer's token claims one (viewer i: segment i mod n) and every point must carry every segment.
// VOTER_SHARDS spreads each room's voters over that many parts (a giant room). A million voters
// in one room with eight segments, split over k6 instances (each runs its share of the VUs):
//
//   k6 run --execution-segment 0:1/20 -e ROOMS=1 -e VUS=1000000 -e SEGMENTS=8 \
//          -e VOTER_SHARDS=16 -e HOLD_S=600 -e DURATION=15m … k6/vote-audience.js   (and 1/20:2/20, …)
//
// Without BANTERBOX_ADMIN_KEY every viewer joins the server's open demo room as a guest.
import { check } from 'k6';
import exec from 'k6/execution';
import { setInterval, clearInterval, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { createVoteRooms, protocolErrors, settings, snapshotWatcher, voteToken } from './lib/banterbox.js';

export { handleSummary } from './lib/banterbox.js';

const config = settings();
const VUS = config.number('VUS', 50);
const HOLD_S = config.number('HOLD_S', 30);
const TICK_MS = config.number('TICK_MS', 1000);
const VOTES_PER_MIN = config.number('VOTES_PER_MIN', 6);
const SEGMENTS = Array.from({ length: Math.min(config.number('SEGMENTS', 0), 8) }, (_, i) => `s${i}`);
const VOTER_SHARDS = config.number('VOTER_SHARDS', 1);

export const options = {
  scenarios: {
    audience: { executor: 'constant-vus', vus: VUS, duration: __ENV.DURATION || '1m' },
  },
  thresholds: {
    // A snapshot reaches a viewer within half a second of its tick for 99 % of them.
    snapshot_latency: ['p(99)<500'],
    missed_ticks: ['count<=' + config.number('MAX_MISSED_TICKS', 0)],
    protocol_errors: ['count==0'],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'p(50)', 'p(90)', 'p(99)', 'max'],
};

export function setup() {
  const extra = { ...(SEGMENTS.length > 0 ? { segments: SEGMENTS } : {}), ...(VOTER_SHARDS > 1 ? { voter_shards: VOTER_SHARDS } : {}) };
  return { rooms: createVoteRooms(config, config.number('ROOMS', 1), ['yes', 'no'], extra) };
}

export default function (/** @type {{ rooms: string[] }} */ data) {
  const vu = exec.vu.idInTest;
  const room = data.rooms[vu % data.rooms.length];
  const user = `${config.run}-viewer-${vu}`;
  const token = voteToken(config, user, room, SEGMENTS.length > 0 ? SEGMENTS[vu % SEGMENTS.length] : undefined);
  const watch = snapshotWatcher(TICK_MS);
  const ws = new WebSocket(`${config.ws}/api/vote_ws/`);
  let snapshots = 0;
  let votes = 0;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let voting;
  ws.onopen = () => ws.send(JSON.stringify({ auth: { token, room } }));
  ws.onmessage = (event) => {
    const kind = watch(String(event && event.data));
    if (kind === 'history') {
      check(kind, { 'joined with the history': (k) => k === 'history' });
      const vote = () => {
        votes += 1;
        ws.send(JSON.stringify({ vote: { value: Math.random() < 0.5 ? 'yes' : 'no', ts: Date.now() } }));
      };
      vote();
      if (VOTES_PER_MIN > 0) voting = setInterval(vote, 60_000 / VOTES_PER_MIN);
    } else if (kind === 'snapshot') snapshots += 1;
  };
  ws.onerror = () => protocolErrors.add(1, { code: 'socket_error' });
  setTimeout(() => {
    if (voting !== undefined) clearInterval(voting);
    check(snapshots, { 'got a snapshot every tick or so': (n) => n >= Math.floor((HOLD_S * 1000) / TICK_MS / 2) });
    check(votes, { voted: (n) => n > 0 });
    if (SEGMENTS.length > 0) {
      check(watch.last, { 'points carry every segment': (p) => !!p && SEGMENTS.every((s) => p.segments && p.segments[s]) });
    }
    ws.close();
  }, HOLD_S * 1000);
}
