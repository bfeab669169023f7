import { ProtocolError } from './errors';
import { isRecord, isStringList, parseJson } from './is-record';

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
 * The ticker's tickRooms-n.lua writes each point in exactly this form, stores it in the room's
 * history list and publishes the same text on the room's channel. Gateways keep points as the
 * strings Redis gave them and splice them into frames without parsing (`dataFrame`,
 * `publishedPoint`, `pointTs`): a tick reaches sockets as a one-point frame. Clients decode
 * frames with `decodeVoteServerFrame`.
 */

/** One tick of a vote room: the tally at `ts`, every option listed. */
export interface TallyPoint {
  ts: number;
  votes: Record<string, number>;
  connected: number;
  /** A room with segments (SPEC §9): each segment's counts, every option listed. */
  segments?: Record<string, Record<string, number>>;
}

const FRAME_PREFIX = '{"data":[';
const FRAME_SUFFIX = ']}';
const LEADING_TS = /^\{"ts":(\d+)[,}]/;

/** A point as the ticker writes it. */
export function encodePoint(point: TallyPoint): string {
  const { ts, votes, connected, segments } = point;
  return JSON.stringify(segments === undefined ? { ts, votes, connected } : { ts, votes, connected, segments });
}

/**
 * A frame of encoded points (oldest first), and for a join the room's encoded markers if any and
 * its round once past the first, without re-encoding them.
 */
export function dataFrame(points: readonly string[], markers: readonly string[] = [], round = 0): string {
  return withJoinExtras(`${FRAME_PREFIX}${points.join(',')}${FRAME_SUFFIX}`, markers, round);
}

/**
 * A join frame with `"markers"` (when there are any) and `"round"` (past the first: SPEC §9, so a
 * client that was away during a reset learns of it before it takes the points or re-sends a vote).
 */
function withJoinExtras(frame: string, markers: readonly string[], round: number): string {
  const extras = `${markers.length > 0 ? `,"markers":[${markers.join(',')}]` : ''}${round > 0 ? `,"round":${round}` : ''}`;
  return extras === '' ? frame : `${frame.slice(0, -1)}${extras}}`;
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

/**
 * The encoded point of a tick as published on a room's channel: the point itself, or the
 * one-point frame an older ticker published; undefined for anything else.
 */
export function publishedPoint(message: string): string | undefined {
  const framed = message.startsWith(FRAME_PREFIX) && message.endsWith(FRAME_SUFFIX);
  const point = framed ? message.slice(FRAME_PREFIX.length, -FRAME_SUFFIX.length) : message;
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
export function compactHistoryFrame(
  points: readonly string[],
  options: readonly string[],
  markers: readonly string[] = [],
  segments: readonly string[] = [],
  round = 0,
): string {
  const ts: number[] = [];
  const connected: number[] = [];
  const votes: number[][] = options.map(() => []);
  const bySegment: number[][][] = segments.map(() => options.map(() => []));
  for (const text of points) {
    const point = JSON.parse(text) as TallyPoint;
    ts.push(point.ts);
    connected.push(point.connected);
    options.forEach((option, i) => votes[i]!.push(point.votes[option] ?? 0));
    segments.forEach((segment, j) => options.forEach((option, i) => bySegment[j]![i]!.push(point.segments?.[segment]?.[option] ?? 0)));
  }
  const history: Record<string, unknown> = { options, ts: steps(ts), votes: votes.map(deltas), connected: deltas(connected) };
  if (segments.length > 0) history.segments = Object.fromEntries(segments.map((segment, j) => [segment, bySegment[j]!.map(deltas)]));
  return withJoinExtras(JSON.stringify({ history }), markers, round);
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
  const columns = (listed: unknown, field: string): number[][] => {
    if (!Array.isArray(listed)) throw new ProtocolError('bad_request', `history.${field} must be a list`);
    return options.map((_, i) => running(listed[i], `${field}[${i}]`));
  };
  const votes = columns(history.votes, 'votes');
  if (history.segments !== undefined && !isRecord(history.segments))
    throw new ProtocolError('bad_request', 'history.segments must be an object');
  const segments = Object.entries(history.segments ?? {}).map(
    ([segment, listed]) => [segment, columns(listed, `segments.${segment}`)] as const,
  );
  if (
    connected.length !== ts.length ||
    [votes, ...segments.map(([, c]) => c)].some((c) => c.some((column) => column.length !== ts.length))
  ) {
    throw new ProtocolError('bad_request', 'history columns must be as long as history.ts');
  }
  const row = (column: number[][], at: number): Record<string, number> =>
    Object.fromEntries(options.map((option, i) => [option, column[i]![at]!]));
  return ts.map((at, i) => {
    const point: TallyPoint = { ts: at, votes: row(votes, i), connected: connected[i]! };
    if (segments.length > 0) point.segments = Object.fromEntries(segments.map(([segment, column]) => [segment, row(column, i)]));
    return point;
  });
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Decodes and checks one point; throws ProtocolError for anything else. */
export function decodePoint(value: unknown): TallyPoint {
  if (!isRecord(value) || !isCount(value.ts) || !isCount(value.connected) || !isRecord(value.votes)) {
    throw new ProtocolError('bad_request', 'a point must be {"ts", "votes", "connected"}');
  }
  const counts = (listed: unknown, field: string): Record<string, number> => {
    if (!isRecord(listed)) throw new ProtocolError('bad_request', `${field} must be an object`);
    const out: Record<string, number> = {};
    for (const [option, count] of Object.entries(listed)) {
      if (!isCount(count)) throw new ProtocolError('bad_request', `${field}.${option} must be a count`);
      out[option] = count;
    }
    return out;
  };
  const point: TallyPoint = { ts: value.ts, votes: counts(value.votes, 'votes'), connected: value.connected };
  if (value.segments !== undefined) {
    const segments = value.segments;
    if (!isRecord(segments)) throw new ProtocolError('bad_request', 'segments must be an object');
    point.segments = Object.fromEntries(
      Object.entries(segments).map(([segment, listed]) => [segment, counts(listed, `segments.${segment}`)]),
    );
  }
  return point;
}

/**
 * Whether voting in a room is open (SPEC §9): `{"state":{"closed":true|false,"ts":<ms>}}`, sent when
 * it closes or opens, and after the history to a client joining a closed room. While closed, no
 * points come and votes get the `closed` error.
 */
export interface VotingState {
  closed: boolean;
  /** When it closed, opened, or the round began. */
  ts: number;
  /** The round (0 for the first; one more for each reset): a new one clears every standing vote. */
  round?: number;
  /** The round's question. */
  question?: string;
  /** The room's segments (sent on join). */
  segments?: string[];
  /** The question that lets a voter choose their segment once (sent on join). */
  ask?: string;
  /** How long a vote counts without being sent again, s (sent on join). */
  voteTtlS?: number;
  /** The joining voter's own segment, when their token claims one. */
  segment?: string;
}

export function stateFrame(state: VotingState): string {
  const { closed, ts, round, question, segments, ask, voteTtlS, segment } = state;
  return JSON.stringify({ state: { closed, ts, round, question, segments, ask, vote_ttl_s: voteTtlS, segment } });
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new ProtocolError('bad_request', `state.${field} must be a string`);
}

function decodeState(state: Record<string, unknown>): VotingState {
  const { closed, ts, round, segments, vote_ttl_s: voteTtlS } = state;
  if (typeof closed !== 'boolean' || !isCount(ts)) throw new ProtocolError('bad_request', 'state must be {"closed", "ts", ...}');
  if (round !== undefined && !isCount(round)) throw new ProtocolError('bad_request', 'state.round must be a count');
  if (voteTtlS !== undefined && !isCount(voteTtlS)) throw new ProtocolError('bad_request', 'state.vote_ttl_s must be a count');
  if (segments !== undefined && !isStringList(segments)) {
    throw new ProtocolError('bad_request', 'state.segments must be a list of names');
  }
  const out: VotingState = { closed, ts };
  const question = optionalString(state.question, 'question');
  const ask = optionalString(state.ask, 'ask');
  const segment = optionalString(state.segment, 'segment');
  if (round !== undefined) out.round = round;
  if (question !== undefined) out.question = question;
  if (segments !== undefined) out.segments = segments;
  if (ask !== undefined) out.ask = ask;
  if (voteTtlS !== undefined) out.voteTtlS = voteTtlS;
  if (segment !== undefined) out.segment = segment;
  return out;
}

/** What the server sends on /api/vote_ws/: points (and on join the markers), a marker, the voting state, or an error. */
export type VoteServerFrame =
  | { kind: 'data'; points: TallyPoint[]; markers: Marker[]; round?: number }
  | { kind: 'marker'; marker: Marker }
  | ({ kind: 'state' } & VotingState)
  | { kind: 'error'; code: string; message: string };

/** Decodes one server frame of /api/vote_ws/; throws ProtocolError for anything else. */
export function decodeVoteServerFrame(text: string): VoteServerFrame {
  const parsed = parseJson(text, () => new ProtocolError('bad_request', 'frame is not valid JSON'));
  if (isRecord(parsed) && (Array.isArray(parsed.data) || isRecord(parsed.history))) {
    const points = Array.isArray(parsed.data) ? parsed.data.map(decodePoint) : expandCompactHistory(parsed.history).map(decodePoint);
    const frame: VoteServerFrame = { kind: 'data', points, markers: markersOf(parsed) };
    if (parsed.round !== undefined) {
      if (!isCount(parsed.round)) throw new ProtocolError('bad_request', 'round must be a count');
      frame.round = parsed.round;
    }
    return frame;
  }
  if (isRecord(parsed) && parsed.marker !== undefined) return { kind: 'marker', marker: decodeMarker(parsed.marker) };
  if (isRecord(parsed) && isRecord(parsed.state)) return { kind: 'state', ...decodeState(parsed.state) };
  if (isRecord(parsed) && isRecord(parsed.error) && typeof parsed.error.code === 'string') {
    return { kind: 'error', code: parsed.error.code, message: typeof parsed.error.message === 'string' ? parsed.error.message : '' };
  }
  throw new ProtocolError('bad_request', 'frame must have "data", "history", "marker", "state" or "error"');
}
