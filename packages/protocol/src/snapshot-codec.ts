import { ProtocolError } from './errors';
import { isRecord, parseJson } from './is-record';

/**
 * The vote rooms' snapshot wire format (SPEC §5), in one place.
 *
 *   point  {"ts":<ms>,"votes":{"<option>":<count>,...},"connected":<users>}
 *          `ts` always comes first; `votes` lists every option of the room, zeros included.
 *   frame  {"data":[<point>,...]}: the join history (oldest first) or one tick's snapshot.
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

/** A frame of encoded points (oldest first), without re-encoding them. */
export function dataFrame(points: readonly string[]): string {
  return `${FRAME_PREFIX}${points.join(',')}${FRAME_SUFFIX}`;
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

/** What the server sends on /api/vote_ws/: points, or an error. */
export type VoteServerFrame = { kind: 'data'; points: TallyPoint[] } | { kind: 'error'; code: string; message: string };

/** Decodes one server frame of /api/vote_ws/; throws ProtocolError for anything else. */
export function decodeVoteServerFrame(text: string): VoteServerFrame {
  const parsed = parseJson(text, () => new ProtocolError('bad_request', 'frame is not valid JSON'));
  if (isRecord(parsed) && Array.isArray(parsed.data)) return { kind: 'data', points: parsed.data.map(decodePoint) };
  if (isRecord(parsed) && isRecord(parsed.error) && typeof parsed.error.code === 'string') {
    return { kind: 'error', code: parsed.error.code, message: typeof parsed.error.message === 'string' ? parsed.error.message : '' };
  }
  throw new ProtocolError('bad_request', 'frame must have "data" or "error"');
}
