// Shared by the banterbox k6 scripts: configuration from the environment, tokens and rooms through
// the HTTP API, and the metrics every script reports. Plain k6 JavaScript (type-checked against
// @types/k6 in the repo's `npm test`).
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';

/** Receive time minus the point's tick time (`ts`), per live snapshot, ms. */
export const snapshotLatency = new Trend('snapshot_latency', true);
/** Ticks that never arrived: gaps in a socket's stream of snapshots, counted in ticks. */
export const missedTicks = new Counter('missed_ticks');
/** `{"error": …}` frames and sockets the server closed with an error code. */
export const protocolErrors = new Counter('protocol_errors');

/** Everything a script reads from the environment (`k6 run -e NAME=value` or exported variables). */
export function settings() {
  const base = (__ENV.BANTERBOX_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const number = (/** @type {string} */ name, /** @type {number} */ fallback) => {
    const value = Number(__ENV[name] || fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, not ${__ENV[name]}`);
    return value;
  };
  return {
    base,
    ws: base.replace(/^http/, 'ws'),
    adminKey: __ENV.BANTERBOX_ADMIN_KEY || '',
    /** A prefix that keeps one run's rooms apart from another's. */
    run: __ENV.RUN_ID || `k6-${Date.now().toString(36)}`,
    number,
  };
}

/** @typedef {ReturnType<typeof settings>} Settings */

/** The `Authorization` header of the admin API. */
function admin(/** @type {Settings} */ config) {
  return { headers: { authorization: `Bearer ${config.adminKey}`, 'content-type': 'application/json' } };
}

/**
 * Vote rooms for a run: created open (guests may join) with the admin key, or, without one, the
 * server's open demo room for every "room".
 */
export function createVoteRooms(
  /** @type {Settings} */ config,
  /** @type {number} */ count,
  options = ['yes', 'no'],
  /** @type {Record<string, unknown>} */ extra = {},
) {
  if (!config.adminKey) return Array.from({ length: count }, () => 'demo');
  const rooms = [];
  for (let i = 0; i < count; i += 1) {
    const room = `${config.run}-${i}`;
    const res = http.post(`${config.base}/api/rooms`, JSON.stringify({ room, options, open: true, ...extra }), admin(config));
    if (res.status !== 201 && res.status !== 409) throw new Error(`POST /api/rooms ${room}: HTTP ${res.status} ${res.body}`);
    rooms.push(room);
  }
  return rooms;
}

/**
 * A token for `user` in `room`: minted with the admin key (claiming segment `seg` if given), or as
 * a guest of an open room.
 */
export function voteToken(
  /** @type {Settings} */ config,
  /** @type {string} */ user,
  /** @type {string} */ room,
  /** @type {string | undefined} */ seg = undefined,
) {
  if (config.adminKey) {
    const body = seg === undefined ? { user_id: user, room, ttl_s: 3600 } : { user_id: user, room, ttl_s: 3600, seg };
    const res = http.post(`${config.base}/api/tokens`, JSON.stringify(body), admin(config));
    if (res.status !== 200) throw new Error(`POST /api/tokens: HTTP ${res.status} ${res.body}`);
    return /** @type {string} */ (res.json('token'));
  }
  const res = http.post(`${config.base}/api/rooms/${room}/guest`, null);
  if (res.status !== 200) throw new Error(`guest join of ${room}: HTTP ${res.status} ${res.body}`);
  return /** @type {string} */ (res.json('token'));
}

/** The browser session cookie for `/connect` (a new user per call unless the jar already has one). */
export function sessionCookie(/** @type {Settings} */ config) {
  const res = http.get(`${config.base}/api/session`);
  const cookie = res.cookies.bb_session && res.cookies.bb_session[0];
  if (res.status !== 200 || !cookie) throw new Error(`GET /api/session: HTTP ${res.status}, no bb_session cookie`);
  return `bb_session=${cookie.value}`;
}

/**
 * Follows a vote socket's snapshots: latency of each live point from its `ts`, and missed ticks
 * (a gap of more than 1.5 ticks between consecutive points). Returns a function to call with each
 * server frame; it reports whether the frame was a history, a snapshot, or the room's state or a
 * marker (SPEC §9), and keeps the newest point in its `last` property.
 */
export function snapshotWatcher(/** @type {number} */ tickMs) {
  let newest = 0;
  let history = true;
  /** @type {{ (text: string): string, last: any }} */
  const watch = Object.assign(
    (/** @type {string} */ text) => {
      const frame = JSON.parse(text);
      if (frame.error) {
        protocolErrors.add(1, { code: String(frame.error.code) });
        return 'error';
      }
      if (frame.state || frame.marker) return frame.state ? 'state' : 'marker';
      return points(frame);
    },
    { last: undefined },
  );
  const points = (/** @type {any} */ frame) => {
    if (!Array.isArray(frame.data)) {
      protocolErrors.add(1, { code: 'unknown_frame' });
      return 'error';
    }
    const now = Date.now();
    for (const point of frame.data) {
      if (point.ts <= newest) continue;
      if (!history) {
        snapshotLatency.add(now - point.ts);
        if (newest > 0 && point.ts - newest > tickMs * 1.5) missedTicks.add(Math.round((point.ts - newest) / tickMs) - 1);
      }
      newest = point.ts;
      watch.last = point;
    }
    const kind = history ? 'history' : 'snapshot';
    history = false;
    return kind;
  };
  return watch;
}

/**
 * The end-of-test summary: a short text on stdout (each threshold and check, the key trends) and
 * the whole summary as JSON in SUMMARY_JSON (default `summary.json`), for CI and comparisons.
 * @param {any} data k6's summary data
 */
export function handleSummary(data) {
  const lines = [];
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [expression, result] of Object.entries(metric.thresholds || {})) {
      lines.push(`${result.ok ? 'ok  ' : 'FAIL'} threshold ${name}: ${expression}`);
    }
  }
  for (const c of data.root_group.checks || [])
    lines.push(`${c.fails === 0 ? 'ok  ' : 'FAIL'} check "${c.name}": ${c.passes} passed, ${c.fails} failed`);
  for (const name of ['snapshot_latency', 'join_time', 'history_bytes', 'reveal_time', 'missed_ticks', 'protocol_errors']) {
    const metric = data.metrics[name];
    if (!metric) continue;
    const shown = Object.entries(metric.values).map(([stat, value]) => `${stat}=${Math.round(Number(value) * 100) / 100}`);
    lines.push(`${name}: ${shown.join(' ')}`);
  }
  return { stdout: `${lines.join('\n')}\n`, [__ENV.SUMMARY_JSON || 'summary.json']: JSON.stringify(data, null, 2) };
}
