import type { Secrets } from '@banterbox/auth';
import type { Logger } from '@banterbox/logger';
import { isValidId, pointTs, type Marker, type TallyPoint } from '@banterbox/protocol';
import type { RoomMeta, VoteStore } from '@banterbox/store';
import { HttpError, checkRoomBearer, handleAsync, type HttpRoutes, type Reply } from '../http/http';

export interface VoteExportDeps {
  store: VoteStore;
  secrets: Secrets;
  adminKey: string | undefined;
  log: Logger;
}

/** Points per write: about 40 KB of JSON, so that a long series goes out in pieces the socket takes. */
const POINTS_PER_WRITE = 500;

/** A `since` or `until` bound: Unix ms or an ISO 8601 time; undefined when absent. */
function bound(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new HttpError(400, `${name} must be Unix milliseconds or an ISO 8601 time`);
  return ms;
}

/** The first index of `points` (or markers; sorted by ts, ts first) whose ts is at least `ts`. */
function firstAtOrAfter(points: readonly string[], ts: number): number {
  let [low, high] = [0, points.length];
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (pointTs(points[mid]!) < ts) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/**
 * CSV of points: ts, the time in ISO 8601, one column per option, connected, and the labels of
 * the markers since the point before (several joined by " | "). A marker after the last point
 * (added while voting was closed, or since the last tick) gets a row of its own with empty counts.
 */
function* csvRows(series: Series, points: readonly string[], markers: readonly Marker[]): Generator<string> {
  const { options, segments } = series;
  const segmentColumns = segments.flatMap((segment) => options.map((option) => `${segment}:${option}`));
  yield `ts,time,${[...options, 'connected', ...segmentColumns].join(',')},markers\n`;
  let next = 0;
  for (let i = 0; i < points.length; i += POINTS_PER_WRITE) {
    yield points
      .slice(i, i + POINTS_PER_WRITE)
      .map((text) => {
        const point = JSON.parse(text) as TallyPoint;
        const labels: string[] = [];
        while (next < markers.length && markers[next]!.ts <= point.ts) labels.push(markers[next++]!.label);
        const counts = [
          ...options.map((o) => point.votes[o] ?? 0),
          point.connected,
          ...segments.flatMap((segment) => options.map((o) => point.segments?.[segment]?.[o] ?? 0)),
        ];
        return `${point.ts},${new Date(point.ts).toISOString()},${counts.join(',')},${csvField(labels.join(' | '))}\n`;
      })
      .join('');
  }
  const noCounts = ','.repeat(options.length + segmentColumns.length);
  for (const marker of markers.slice(next)) {
    yield `${marker.ts},${new Date(marker.ts).toISOString()},${noCounts},${csvField(marker.label)}\n`;
  }
}

/** What an export is of: one round of a room. */
interface Series {
  roomId: string;
  options: readonly string[];
  segments: readonly string[];
  round: number;
  question: string;
  /** When the round opened (ms): the replay lines the series up with the recording from it. */
  anchor: number;
}

/** JSON of points and markers, each written as stored (the snapshot codec's form), and the round's anchor. */
function* jsonParts(series: Series, points: readonly string[], markers: readonly string[]): Generator<string> {
  const { roomId, options, segments, round, question, anchor } = series;
  const head = { room: roomId, options, ...(segments.length > 0 ? { segments } : {}), round, question, anchor };
  yield `${JSON.stringify(head).slice(0, -1)},"points":[`;
  for (let i = 0; i < points.length; i += POINTS_PER_WRITE) {
    yield (i > 0 ? ',' : '') + points.slice(i, i + POINTS_PER_WRITE).join(',');
  }
  yield `],"markers":[${markers.join(',')}]}`;
}

/** Writes `parts` as a chunked 200 response, each part when the socket has taken the one before. */
function stream(r: Reply, headers: Record<string, string>, parts: Iterator<string>): void {
  if (r.aborted) return;
  r.res.cork(() => {
    r.res.writeStatus('200 OK');
    for (const [name, value] of Object.entries(headers)) r.res.writeHeader(name, value);
  });
  const pump = (): boolean => {
    for (;;) {
      if (r.aborted) return true;
      const next = parts.next();
      if (next.done) {
        r.res.cork(() => r.res.end());
        return true;
      }
      let written = true;
      r.res.cork(() => {
        written = r.res.write(next.value);
      });
      if (!written) return false;
    }
  };
  if (!pump()) r.res.onWritable(() => pump());
}

/** `round` of the query: a whole number up to the room's current round (absent: the current one). */
function roundOf(value: string | null, current: number): number {
  if (value === null || value === '') return current;
  const round = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(round <= current)) throw new HttpError(400, `round must be a whole number from 0 to ${current}`);
  return round;
}

/** The stored points and markers of one round of a room (the current one, or one kept after a reset). */
async function readRound(
  store: VoteStore,
  roomId: string,
  meta: RoomMeta,
  round: number,
): Promise<{ history: string[]; stored: string[]; series: Series }> {
  const base = { roomId, options: meta.options, segments: meta.segments ?? [], round };
  if (round === (meta.round ?? 0)) {
    const [history, stored, anchor] = await Promise.all([
      store.history(roomId, meta.historyLimit),
      store.markers(roomId),
      store.anchor(roomId),
    ]);
    return { history, stored, series: { ...base, question: meta.question ?? '', anchor: anchor ?? 0 } };
  }
  const [kept, rounds] = await Promise.all([store.keptRound(roomId, round), store.rounds(roomId)]);
  const record = rounds?.find((r) => r.round === round);
  if (!record || (kept.points.length === 0 && kept.markers.length === 0)) throw new HttpError(404, `round ${round} is no longer kept`);
  return { history: kept.points, stored: kept.markers, series: { ...base, question: record.question, anchor: record.opened_at } };
}

/**
 * `GET /api/rooms/<room>/series?since=&until=&round=&format=json|csv` (SPEC §8, §9): the room's stored points
 * (the last HISTORY_LIMIT ticks, or the room's own `history_limit`, while the room lives), oldest
 * first, those with since ≤ ts ≤ until; of the current round, or of round `round` while it is kept
 * after a reset.
 * The history is read in one command, so the series is one consistent cut, then written out in
 * pieces as the client takes them.
 */
export function mountVoteExport(app: HttpRoutes, deps: VoteExportDeps): void {
  app.get('/api/rooms/:room/series', (res, req) => {
    const roomId = req.getParameter(0) ?? '';
    const authorization = req.getHeader('authorization');
    const query = new URLSearchParams(req.getQuery() ?? '');
    handleAsync(res, deps.log, async (r) => {
      if (!isValidId(roomId)) throw new HttpError(400, 'room must be 1-64 characters of [A-Za-z0-9_-]');
      const format = query.get('format') ?? 'json';
      if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'format must be json or csv');
      const since = bound(query.get('since'), 'since') ?? 0;
      const until = bound(query.get('until'), 'until') ?? Number.MAX_SAFE_INTEGER;
      // The admin key, or a token for the room.
      await checkRoomBearer(authorization, roomId, { adminKey: deps.adminKey, secrets: deps.secrets, moderator: false });
      const meta = await deps.store.getRoom(roomId);
      if (!meta) throw new HttpError(404, `room ${roomId} not found`);
      const round = roundOf(query.get('round'), meta.round ?? 0);
      const { history, stored, series } = await readRound(deps.store, roomId, meta, round);
      const points = history.slice(firstAtOrAfter(history, since), firstAtOrAfter(history, until + 1));
      const markers = stored.slice(firstAtOrAfter(stored, since), firstAtOrAfter(stored, until + 1));
      if (series.anchor === 0 && points.length > 0) series.anchor = pointTs(points[0]!);
      if (format === 'json') {
        stream(r, { 'content-type': 'application/json', 'cache-control': 'no-store' }, jsonParts(series, points, markers));
        return;
      }
      stream(
        r,
        {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${roomId}-series.csv"`,
          'cache-control': 'no-store',
        },
        csvRows(
          series,
          points,
          markers.map((marker) => JSON.parse(marker) as Marker),
        ),
      );
    });
  });
}
