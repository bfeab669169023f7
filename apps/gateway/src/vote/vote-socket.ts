import type { WebSocket, WebSocketBehavior } from 'uWebSockets.js';
import { AuthError, verifyToken, type Secrets } from '@banterbox/auth';
import type { Logger } from '@banterbox/logger';
import {
  CloseCode,
  ProtocolError,
  decodeVoteClientMessage,
  errorFrame,
  isAcceptedVote,
  normaliseVoteTs,
  type AuthMessage,
  type VoteMessage,
} from '@banterbox/protocol';
import type { GatewayMetrics } from '../metrics';
import type { Fanout } from '../transport/fanout';
import { newRateState, type RateState } from '../transport/rate-limit';
import { admitFrame, socketOptions } from '../transport/socket-limits';
import { acceptUpgrade, refuseUpgrade, type UpgradePolicy } from '../transport/upgrade';
import type { LocalVoteRoom } from './local-vote-room';
import type { VoteRooms } from './vote-rooms';

/** Frames larger than this close the socket with 1009 (SPEC §5). */
export const MAX_VOTE_FRAME_BYTES = 1024;
const RATE_LIMITED = errorFrame('rate_limited', 'more than 20 messages a second; message dropped');
export const AUTH_TIMEOUT_MS = 5_000;

export interface VoteSocketData {
  phase: 'new' | 'authenticating' | 'joined' | 'closed';
  room: LocalVoteRoom | undefined;
  userId: string | undefined;
  /** Watch-only (an overlay): not counted as connected, may not vote. */
  observer: boolean;
  /** The voter's token names their segment (SPEC §9): they may not choose one. */
  claimed: boolean;
  authTimer: NodeJS.Timeout | undefined;
  rate: RateState;
  slowSince: number | undefined;
}

export type VoteSocket = WebSocket<VoteSocketData>;

export interface VoteSocketDeps {
  secrets: Secrets;
  rooms: VoteRooms;
  log: Logger;
  maxBackpressureBytes: number;
  metrics: GatewayMetrics;
  fanout: Fanout;
  upgrade: UpgradePolicy;
  sockets: Set<VoteSocket>;
}

/** The phase may change while an await is pending; read it through here after one. */
function isClosed(data: VoteSocketData): boolean {
  return data.phase === 'closed';
}

/** The uWS behaviour of `/api/vote_ws/` (SPEC §5). */
export function voteSocketBehavior(deps: VoteSocketDeps): WebSocketBehavior<VoteSocketData> {
  const { rooms, log } = deps;

  async function authenticate(ws: VoteSocket, data: VoteSocketData, auth: AuthMessage): Promise<void> {
    let userId: string;
    let claimed: string | undefined;
    try {
      const token = await verifyToken(auth.token, deps.secrets);
      if (auth.userId !== undefined && auth.userId !== token.sub) throw new AuthError('user_id does not match the token');
      if (token.room !== '*' && token.room !== auth.room) throw new AuthError('token is for another room');
      userId = token.sub;
      claimed = token.seg;
    } catch (error) {
      const message = error instanceof AuthError ? error.message : 'token rejected';
      ws.cork(() => {
        ws.send(errorFrame('unauthorized', message));
        ws.end(CloseCode.Unauthorized, 'unauthorized');
      });
      return;
    }
    data.phase = 'authenticating';
    let room: LocalVoteRoom;
    try {
      room = await rooms.acquire(auth.room);
    } catch (err) {
      log.warn({ err, room: auth.room }, 'room could not be loaded');
      if (!isClosed(data)) {
        ws.cork(() => {
          ws.send(errorFrame('unavailable', 'room store unavailable, try again'));
          ws.end(CloseCode.TryAgainLater, 'unavailable');
        });
      }
      return;
    }
    if (isClosed(data)) {
      rooms.release(room);
      return;
    }
    clearTimeout(data.authTimer);
    data.authTimer = undefined;
    data.phase = 'joined';
    data.room = room;
    data.userId = userId;
    data.observer = auth.observe;
    let segment: string | undefined;
    if (auth.observe) rooms.watch(room);
    else segment = rooms.join(room, userId, claimed);
    data.claimed = segment !== undefined;
    ws.cork(() => {
      deps.fanout.send(ws, 'vote', room.historyFrame(auth.since, auth.compact));
      const state = room.joinFrame(segment);
      if (state !== undefined) deps.fanout.send(ws, 'vote', state);
      ws.subscribe(room.topic);
    });
  }

  /** The joined voter's room and id; throws ProtocolError for a socket that is not one. */
  function voter(data: VoteSocketData, what: string): { room: LocalVoteRoom; userId: string } {
    const { room, userId } = data;
    if (data.phase !== 'joined' || !room || !userId) throw new ProtocolError('bad_request', `authenticate before ${what}`);
    if (data.observer) throw new ProtocolError('bad_request', `a watch-only connection (observe) cannot ${what}`);
    return { room, userId };
  }

  function vote(data: VoteSocketData, message: VoteMessage): void {
    const { room, userId } = voter(data, 'voting');
    if (room.meta.closedAt !== undefined) throw new ProtocolError('closed', 'voting in this room is closed');
    if (message.round !== undefined && message.round !== (room.meta.round ?? 0)) {
      throw new ProtocolError('round_over', `round ${message.round} is over; round ${room.meta.round ?? 0} runs`);
    }
    if (!isAcceptedVote(message.value, room.meta.options)) {
      throw new ProtocolError('bad_request', `vote.value must be one of ${room.meta.options.join(', ')} or cancel`);
    }
    const now = Date.now();
    rooms.vote(room, userId, { value: message.value, ts: normaliseVoteTs(message.ts, now), at: now });
  }

  /** `{"segment": "<name>"}`: the voter's own choice, in a room that asks for one (SPEC §9). */
  function chooseSegment(data: VoteSocketData, segment: string): void {
    const { room, userId } = voter(data, 'choosing a segment');
    if (room.meta.ask === undefined) throw new ProtocolError('bad_request', 'this room does not ask voters for a segment');
    if (data.claimed) throw new ProtocolError('bad_request', 'your token names your segment');
    if (!room.meta.segments?.includes(segment)) {
      throw new ProtocolError('bad_request', `segment must be one of ${(room.meta.segments ?? []).join(', ')}`);
    }
    rooms.chooseSegment(room, userId, segment);
  }

  function handle(ws: VoteSocket, data: VoteSocketData, text: string): void {
    const message = decodeVoteClientMessage(text);
    if (message.kind === 'vote') {
      vote(data, message);
      return;
    }
    if (message.kind === 'segment') {
      chooseSegment(data, message.segment);
      return;
    }
    if (data.phase !== 'new') throw new ProtocolError('bad_request', 'already authenticated');
    authenticate(ws, data, message).catch((err: unknown) => {
      log.error({ err }, 'authentication failed unexpectedly');
      if (data.phase !== 'closed') ws.end(CloseCode.InternalError, 'internal error');
    });
  }

  return {
    ...socketOptions(deps.maxBackpressureBytes),

    upgrade: (res, req, context) => {
      const data: VoteSocketData = {
        phase: 'new',
        room: undefined,
        userId: undefined,
        observer: false,
        claimed: false,
        authTimer: undefined,
        rate: newRateState(Date.now()),
        slowSince: undefined,
      };
      if (!refuseUpgrade(res, req, deps.upgrade)) acceptUpgrade(res, req, context, data);
    },

    open: (ws) => {
      const data = ws.getUserData();
      deps.sockets.add(ws);
      data.authTimer = setTimeout(() => {
        if (data.phase === 'new' || data.phase === 'authenticating') ws.end(CloseCode.AuthTimeout, 'auth timeout');
      }, AUTH_TIMEOUT_MS);
    },

    message: (ws, message, isBinary) => {
      const data = ws.getUserData();
      deps.metrics.received('vote', message.byteLength);
      if (!admitFrame(ws, message.byteLength, MAX_VOTE_FRAME_BYTES, data.rate, RATE_LIMITED)) return;
      try {
        if (isBinary) throw new ProtocolError('bad_request', 'frames must be JSON text');
        handle(ws, data, Buffer.from(message).toString('utf8'));
      } catch (error) {
        if (!(error instanceof ProtocolError)) {
          log.error({ err: error }, 'vote message failed');
          ws.send(errorFrame('bad_request', 'message could not be handled'));
          return;
        }
        ws.send(errorFrame(error.code, error.message));
      }
    },

    close: (ws, code) => {
      deps.metrics.disconnected('vote', code);
      const data = ws.getUserData();
      const wasJoined = data.phase === 'joined';
      data.phase = 'closed';
      deps.sockets.delete(ws);
      clearTimeout(data.authTimer);
      const room = data.room;
      if (!wasJoined || !room || !data.userId) return;
      if (data.observer) rooms.release(room);
      else rooms.leave(room, data.userId);
    },
  };
}
