import type { Secrets } from '@banterbox/auth';
import type { Logger } from '@banterbox/logger';
import { isValidId, revealStats } from '@banterbox/protocol';
import type { PokerStore } from '@banterbox/store';
import { HttpError, handleAsync, sendJson, type HttpRoutes } from '../http/http';
import { roundsCsv } from './rounds-csv';
import { ensureSession, sessionRequest } from '../http/session';

export interface PokerHttpDeps {
  poker: PokerStore;
  secrets: Secrets;
  log: Logger;
}

/** Poker HTTP endpoints: the browser session and a room's recorded rounds (JSON or CSV). */
export function mountPokerHttp(app: HttpRoutes, deps: PokerHttpDeps): void {
  app.get('/api/session', (res, req) => {
    const session = sessionRequest(req);
    res.cork(() => {
      res.writeStatus('200 OK');
      const userId = ensureSession(res, session, deps.secrets);
      res
        .writeHeader('content-type', 'application/json')
        .writeHeader('cache-control', 'no-store')
        .end(JSON.stringify({ user_id: userId }));
    });
  });

  app.get('/api/poker/:room/rounds', (res, req) => {
    const roomId = req.getParameter(0);
    const format = new URLSearchParams(req.getQuery() ?? '').get('format') ?? 'json';
    handleAsync(res, deps.log, async (r) => {
      if (!isValidId(roomId)) throw new HttpError(400, 'room must be 1-64 characters of [A-Za-z0-9_-]');
      if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'format must be json or csv');
      const rounds = await deps.poker.rounds(roomId);
      if (rounds === null) throw new HttpError(404, `poker room ${roomId} not found`);
      if (format === 'json') {
        sendJson(r, 200, {
          roomId,
          rounds: rounds.map((round, index) => ({ round: index + 1, ...round, stats: revealStats(round.estimates.map((e) => e.value)) })),
        });
        return;
      }
      if (r.aborted) return;
      r.res.cork(() => {
        r.res
          .writeStatus('200 OK')
          .writeHeader('content-type', 'text/csv; charset=utf-8')
          .writeHeader('content-disposition', `attachment; filename="poker-${roomId}-rounds.csv"`)
          .writeHeader('cache-control', 'no-store')
          .end(roundsCsv(rounds));
      });
    });
  });
}
