import type { Secrets } from '@banterbox/auth';
import type { WebSocketBehavior } from 'uWebSockets.js';
import type { Logger } from '@banterbox/logger';
import {
  CloseCode,
  INVALID_REQUEST,
  InvalidPokerRequest,
  PokerLimits,
  decodePokerRequest,
  pokerErrorFrame,
  pokerFrame,
} from '@banterbox/protocol';
import { GatewayFenced, topics, type UserStore } from '@banterbox/store';
import { sessionOf } from '../http/session';
import { liveGrant, type GatewayIdentity } from '../lifecycle/gateway-lease';
import type { GatewayMetrics } from '../metrics';
import { newRateState } from '../transport/rate-limit';
import { admitFrame, socketOptions } from '../transport/socket-limits';
import { acceptUpgrade, refuseUpgrade, type UpgradePolicy } from '../transport/upgrade';
import { PokerRuleError, ruleErrorFrame, type PokerHandler } from './poker-handler';
import type { PokerRooms, PokerSocket, PokerSocketData } from './poker-rooms';

/** Every /connect socket is subscribed to this topic; one publish sends the heartbeat to all. */
export const HEARTBEAT_TOPIC = topics.pokerHeartbeat;

export interface PokerSocketDeps {
  secrets: Secrets;
  handler: PokerHandler;
  rooms: PokerRooms;
  users: UserStore;
  identity: GatewayIdentity;
  log: Logger;
  maxBackpressureBytes: number;
  metrics: GatewayMetrics;
  upgrade: UpgradePolicy;
  sockets: Set<PokerSocket>;
  /** Work that must finish before the gateway leaves Redis (a closed socket's leaves). */
  track: (work: Promise<unknown>) => void;
}

const UNAVAILABLE = 'Service unavailable, try again';
const RATE_LIMITED = pokerErrorFrame('Too many requests', { detail: 'more than 20 a second; dropped' });

/** The uWS behaviour of `/connect` (SPEC §6): session cookie, requests in order, Pokey events. */
export function pokerSocketBehavior(deps: PokerSocketDeps): WebSocketBehavior<PokerSocketData> {
  const { handler, log } = deps;

  function answerFailure(ws: PokerSocket, error: unknown): void {
    if (!ws.getUserData().open) return;
    if (error instanceof PokerRuleError) ws.send(ruleErrorFrame(error));
    else {
      log.warn({ err: error }, 'poker request failed');
      ws.send(pokerErrorFrame(UNAVAILABLE));
    }
  }

  function enqueue(ws: PokerSocket, work: () => Promise<void>): void {
    const data = ws.getUserData();
    data.queue = data.queue.then(work).catch((error: unknown) => answerFailure(ws, error));
  }

  function onFrame(ws: PokerSocket, message: ArrayBuffer, isBinary: boolean): void {
    deps.metrics.received('poker', message.byteLength);
    if (!admitFrame(ws, message.byteLength, PokerLimits.maxFrameBytes, ws.getUserData().rate, RATE_LIMITED)) return;
    let request;
    try {
      if (isBinary) throw new InvalidPokerRequest('frames must be JSON text');
      request = decodePokerRequest(Buffer.from(message).toString('utf8'));
    } catch (error) {
      const detail = error instanceof InvalidPokerRequest ? error.detail : 'unreadable frame';
      ws.send(pokerErrorFrame(INVALID_REQUEST, { detail }));
      return;
    }
    enqueue(ws, () => handler.handle(ws, request));
  }

  return {
    ...socketOptions(deps.maxBackpressureBytes),

    upgrade: (res, req, context) => {
      if (refuseUpgrade(res, req, deps.upgrade)) return;
      const userId = sessionOf(req.getHeader('cookie'), deps.secrets);
      if (userId === undefined) {
        res.writeStatus('401 Unauthorized').end('session cookie required');
        return;
      }
      const data: PokerSocketData = {
        userId,
        open: true,
        rooms: new Map(),
        joining: new Set(),
        queue: Promise.resolve(),
        rate: newRateState(Date.now()),
        slowSince: undefined,
      };
      acceptUpgrade(res, req, context, data);
    },

    open: (ws) => {
      const data = ws.getUserData();
      deps.sockets.add(ws);
      ws.subscribe(HEARTBEAT_TOPIC);
      ws.send(pokerFrame({ event: 'connectionInfo', userId: data.userId }));
      data.queue = Promise.resolve()
        .then(() => deps.users.connections(data.userId, liveGrant(deps.identity), 'join', 1))
        .then((user) => {
          if (data.open) ws.send(pokerFrame({ event: 'userUpdated', user: { id: data.userId, name: user.name } }));
        })
        .catch((err: unknown) => {
          if (err instanceof GatewayFenced) deps.identity.fenced(err);
          log.warn({ err }, 'poker connection could not be registered');
          if (data.open) ws.end(CloseCode.TryAgainLater, 'unavailable');
        });
    },

    message: onFrame,

    close: (ws, code) => {
      deps.metrics.disconnected('poker', code);
      const data = ws.getUserData();
      data.open = false;
      deps.sockets.delete(ws);
      const roomIds = [...data.rooms.keys()];
      for (const { room } of [...data.rooms.values()]) deps.rooms.detach(ws, room);
      // After queued requests (a join in flight undoes itself once it sees the socket closed).
      const done = data.queue.then(() => handler.closed(data.userId, roomIds));
      deps.track(done.catch((err: unknown) => log.warn({ err }, 'poker disconnect not recorded')));
    },
  };
}
