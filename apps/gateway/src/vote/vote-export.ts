import type { Secrets } from '@banterbox/auth';
import type { Logger } from '@banterbox/logger';
import { isValidId, pointTs, type Marker, type TallyPoint } from '@banterbox/protocol';
import type { VoteStore } from '@banterbox/store';
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
 * the markers since the point before (several joined by " | ").
 */
function* csvRows(options: readonly string[], points: readonly string[], markers: readonly Marker[]): Generator<string> {
  yield `ts,time,${options.join(',')},connected,markers\n`;
  let next = 0;
  for (let i = 0; i < points.length; i += POINTS_PER_WRITE) {
    yield points
      .slice(i, i + POINTS_PER_WRITE)
      .map((text) => {
        const point = JSON.parse(text) as TallyPoint;
        const labels: string[] = [];
        while (next < markers.length && markers[next]!.ts <= point.ts) labels.push(markers[next++]!.label);
        const counts = options.map((o) => point.votes[o] ?? 0).join(',');
        return `${point.ts},${new Date(point.ts).toISOString()},${counts},${point.connected},${csvField(labels.join(' | '))}\n`;
      })
      .join('');
  }
}

/** JSON of points and markers, each written as stored (the snapshot codec's form), and the round's anchor. */
function* jsonParts(
  roomId: string,
  options: readonly string[],
  anchor: number,
  points: readonly string[],
  markers: readonly string[],
): Generator<string> {
  yield `{"room":${JSON.stringify(roomId)},"options":${JSON.stringify(options)},"anchor":${anchor},"points":[`;
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

/**
 * `GET /api/rooms/<room>/series?since=&until=&format=json|csv` (SPEC §8): the room's stored points
 * (the last HISTORY_LIMIT ticks, or the room's own `history_limit`, while the room lives), oldest
 * first, those with since ≤ ts ≤ until.
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
      const [history, stored, anchor] = await Promise.all([
        deps.store.history(roomId, meta.historyLimit),
        deps.store.markers(roomId),
        deps.store.anchor(roomId),
      ]);
      const points = history.slice(firstAtOrAfter(history, since), firstAtOrAfter(history, until + 1));
      const markers = stored.slice(firstAtOrAfter(stored, since), firstAtOrAfter(stored, until + 1));
      if (format === 'json') {
        stream(
          r,
          { 'content-type': 'application/json', 'cache-control': 'no-store' },
          jsonParts(roomId, meta.options, anchor ?? (points.length > 0 ? pointTs(points[0]!) : 0), points, markers),
        );
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
          meta.options,
          points,
          markers.map((marker) => JSON.parse(marker) as Marker),
        ),
      );
    });
  });
}
