import { ProtocolError } from './errors';
import { isRecord, parseJson } from './is-record';

/**
 * The vote rooms' snapshot wire format (SPEC §5), in one place.
 *
 *   point  {"ts":<ms>,"votes":{"<option>":<count>,...},"connected":<users>}
 *          `ts` always comes first; `votes` lists every option of the room, zeros included.
 *   frame  {"data":[<point>,...]}: the join history (oldest first) or one tick's snapshot.
 *   compact history (asked for with `"compact": true` in auth), the same points as columns:
 *          `ts` is the first tick time, then runs of equal steps as (step, how many) pairs (ticks
 *          are evenly spaced, so this is a few numbers); the counts are each a difference from the
 *          one before (they change little from tick to tick): about a seventh of the bytes.
 *          {"history":{"options":[...],"ts":[t0,step,n,...],"votes":[[y0,dy1,...],[n0,dn1,...]],"connected":[c0,dc1,...]}}
 *
 * The ticker's tickRoom-4.lua writes each point in exactly this form, stores it in the room's
 * history list and publishes it as a one-point frame. Gateways keep points as the strings Redis
 * gave them and splice them into frames without parsing (`dataFrame`, `pointOfSnapshot`,
 * `pointTs`); clients decode frames with `decodeVoteServerFrame`.
 */

/** One tick of a vote room: the tally at `ts`, every option listed. */
export interface TallyPoint {
  ts: number;
  votes: Record<string, number>;
  connected: number;
}

const FRAME_PREFIX = '{"data":[';
const FRAME_SUFFIX = ']}';
const LEADING_TS = /^\{"ts":(\d+)[,}]/;

/** A point as the ticker writes it. */
export function encodePoint(point: TallyPoint): string {
  return JSON.stringify({ ts: point.ts, votes: point.votes, connected: point.connected });
}

/** A frame of encoded points (oldest first), and the room's encoded markers if any, without re-encoding them. */
export function dataFrame(points: readonly string[], markers: readonly string[] = []): string {
  const frame = `${FRAME_PREFIX}${points.join(',')}${FRAME_SUFFIX}`;
  return markers.length === 0 ? frame : `${frame.slice(0, -1)},"markers":[${markers.join(',')}]}`;
}

/** A timeline marker (SPEC §9): a moment of the room labelled by its streamer, or found automatically. */
export interface Marker {
  ts: number;
  label: string;
  auto: boolean;
}

/** Most characters of a marker's label. */
export const MAX_MARKER_LABEL = 80;

/** Decodes and checks one marker; throws ProtocolError for anything else. */
export function decodeMarker(value: unknown): Marker {
  if (!isRecord(value) || !isCount(value.ts) || typeof value.label !== 'string' || typeof value.auto !== 'boolean') {
    throw new ProtocolError('bad_request', 'a marker must be {"ts", "label", "auto"}');
  }
  return { ts: value.ts, label: value.label, auto: value.auto };
}

/** The `markers` of a frame that may carry them: none when absent. */
function markersOf(frame: Record<string, unknown>): Marker[] {
  if (frame.markers === undefined) return [];
  if (!Array.isArray(frame.markers)) throw new ProtocolError('bad_request', 'markers must be a list');
  return frame.markers.map(decodeMarker);
}

/** The `ts` of an encoded point, read without parsing the point; NaN if it is not one. */
export function pointTs(point: string): number {
  const match = LEADING_TS.exec(point);
  return match ? Number(match[1]) : NaN;
}

/** The encoded point of a one-point snapshot frame, or undefined for anything else. */
export function pointOfSnapshot(frame: string): string | undefined {
  if (!frame.startsWith(FRAME_PREFIX) || !frame.endsWith(FRAME_SUFFIX)) return undefined;
  const point = frame.slice(FRAME_PREFIX.length, -FRAME_SUFFIX.length);
  return Number.isNaN(pointTs(point)) ? undefined : point;
}

/** Differences: the first value, then each value minus the one before. */
function deltas(values: readonly number[]): number[] {
  return values.map((value, i) => (i === 0 ? value : value - values[i - 1]!));
}

/** The first value, then runs of equal differences as (difference, count) pairs. */
function steps(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const out = [values[0]!];
  for (let i = 1; i < values.length; i += 1) {
    const step = values[i]! - values[i - 1]!;
    if (out.length > 1 && out[out.length - 2] === step) out[out.length - 1]! += 1;
    else out.push(step, 1);
  }
  return out;
}

/**
 * The compact history frame of encoded points (oldest first) of a room with `options`. Parses the
 * points (they are the ticker's own, so they are trusted to be well-formed).
 */
export function compactHistoryFrame(points: readonly string[], options: readonly string[], markers: readonly string[] = []): string {
  const ts: number[] = [];
  const connected: number[] = [];
  const votes: number[][] = options.map(() => []);
  for (const text of points) {
    const point = JSON.parse(text) as TallyPoint;
    ts.push(point.ts);
    connected.push(point.connected);
    options.forEach((option, i) => votes[i]!.push(point.votes[option] ?? 0));
  }
  const frame = JSON.stringify({ history: { options, ts: steps(ts), votes: votes.map(deltas), connected: deltas(connected) } });
  return markers.length === 0 ? frame : `${frame.slice(0, -1)},"markers":[${markers.join(',')}]}`;
}

/** Undoes `deltas`; throws ProtocolError unless every value is an integer. */
function running(values: unknown, field: string): number[] {
  if (!Array.isArray(values)) throw new ProtocolError('bad_request', `history.${field} must be a list`);
  let sum = 0;
  return values.map((value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw new ProtocolError('bad_request', `history.${field} must hold integers`);
    sum += value;
    return sum;
  });
}

/** Undoes `steps`. */
function unstep(values: unknown): number[] {
  if (!Array.isArray(values) || !values.every((v): v is number => typeof v === 'number' && Number.isInteger(v))) {
    throw new ProtocolError('bad_request', 'history.ts must hold integers');
  }
  const runs: number[] = values;
  if (runs.length > 1 && runs.length % 2 === 0)
    throw new ProtocolError('bad_request', 'history.ts must be a start and (step, count) pairs');
  const out = runs.length > 0 ? [runs[0]!] : [];
  for (let i = 1; i < runs.length; i += 2) {
    const count = runs[i + 1]!;
    if (count < 1 || count > 1_000_000) throw new ProtocolError('bad_request', 'history.ts counts must be positive');
    for (let k = 0; k < count; k += 1) out.push(out[out.length - 1]! + runs[i]!);
  }
  return out;
}

/** The points of a compact history frame's `history` object. */
export function expandCompactHistory(history: unknown): TallyPoint[] {
  if (!isRecord(history) || !Array.isArray(history.options) || !Array.isArray(history.votes)) {
    throw new ProtocolError('bad_request', 'history must be {"options", "ts", "votes", "connected"}');
  }
  const options = history.options.map(String);
  const ts = unstep(history.ts);
  const connected = running(history.connected, 'connected');
  const votes = options.map((_, i) => running((history.votes as unknown[])[i], `votes[${i}]`));
  if (connected.length !== ts.length || votes.some((column) => column.length !== ts.length)) {
    throw new ProtocolError('bad_request', 'history columns must be as long as history.ts');
  }
  return ts.map((at, row) => ({
    ts: at,
    votes: Object.fromEntries(options.map((option, i) => [option, votes[i]![row]!])),
    connected: connected[row]!,
  }));
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Decodes and checks one point; throws ProtocolError for anything else. */
export function decodePoint(value: unknown): TallyPoint {
  if (!isRecord(value) || !isCount(value.ts) || !isCount(value.connected) || !isRecord(value.votes)) {
    throw new ProtocolError('bad_request', 'a point must be {"ts", "votes", "connected"}');
  }
  const votes: Record<string, number> = {};
  for (const [option, count] of Object.entries(value.votes)) {
    if (!isCount(count)) throw new ProtocolError('bad_request', `votes.${option} must be a count`);
    votes[option] = count;
  }
  return { ts: value.ts, votes, connected: value.connected };
}

/**
 * Whether voting in a room is open (SPEC §9): `{"state":{"closed":true|false,"ts":<ms>}}`, sent when
 * it closes or opens, and after the history to a client joining a closed room. While closed, no
 * points come and votes get the `closed` error.
 */
export interface VotingState {
  closed: boolean;
  /** When it closed or opened. */
  ts: number;
}

export function stateFrame(state: VotingState): string {
  return JSON.stringify({ state: { closed: state.closed, ts: state.ts } });
}

/** What the server sends on /api/vote_ws/: points (and on join the markers), a marker, the voting state, or an error. */
export type VoteServerFrame =
  | { kind: 'data'; points: TallyPoint[]; markers: Marker[] }
  | { kind: 'marker'; marker: Marker }
  | ({ kind: 'state' } & VotingState)
  | { kind: 'error'; code: string; message: string };

/** Decodes one server frame of /api/vote_ws/; throws ProtocolError for anything else. */
export function decodeVoteServerFrame(text: string): VoteServerFrame {
  const parsed = parseJson(text, () => new ProtocolError('bad_request', 'frame is not valid JSON'));
  if (isRecord(parsed) && Array.isArray(parsed.data))
    return { kind: 'data', points: parsed.data.map(decodePoint), markers: markersOf(parsed) };
  if (isRecord(parsed) && isRecord(parsed.history)) {
    return { kind: 'data', points: expandCompactHistory(parsed.history).map(decodePoint), markers: markersOf(parsed) };
  }
  if (isRecord(parsed) && parsed.marker !== undefined) return { kind: 'marker', marker: decodeMarker(parsed.marker) };
  if (isRecord(parsed) && isRecord(parsed.state) && typeof parsed.state.closed === 'boolean' && isCount(parsed.state.ts)) {
    return { kind: 'state', closed: parsed.state.closed, ts: parsed.state.ts };
  }
  if (isRecord(parsed) && isRecord(parsed.error) && typeof parsed.error.code === 'string') {
    return { kind: 'error', code: parsed.error.code, message: typeof parsed.error.message === 'string' ? parsed.error.message : '' };
  }
  throw new ProtocolError('bad_request', 'frame must have "data", "history", "marker", "state" or "error"');
}
