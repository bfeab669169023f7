import type { TemplatedApp } from 'uWebSockets.js';
import { PokerLimits, pokerFrame } from '@banterbox/protocol';
import { PokerStore, UserStore } from '@banterbox/store';
import type { FeatureDeps } from '../feature-deps';
import type { FeatureGauges, GatewayFeature } from '../feature';
import type { HttpRoutes } from '../http/http';
import { PokerHandler } from './poker-handler';
import { mountPokerHttp } from './poker-http';
import { PokerRooms, type PokerSocket } from './poker-rooms';
import { HEARTBEAT_TOPIC, pokerSocketBehavior } from './poker-socket';

/** The path of the poker socket (SPEC §6). */
export const POKER_PATH = '/connect';

/**
 * Poker rooms (SPEC §6): `/connect` with the session cookie, the rooms' sequenced fan-out, the
 * heartbeat, and the session and rounds HTTP endpoints.
 */
export function createPokerFeature(deps: FeatureDeps): GatewayFeature {
  const { config, metrics, log, identity } = deps;
  const poker = new PokerStore(deps.redis, {
    roomTtlMs: config.roomTtlMs,
    maxMembers: PokerLimits.maxRoomMembers,
    roundsKept: PokerLimits.roundsKept,
    rejoinGraceMs: config.pokerRejoinGraceMs,
  });
  const users = new UserStore(deps.redis, config.userTtlMs);
  const sockets = new Set<PokerSocket>();
  /** Redis writes of closed sockets, awaited before the gateway leaves Redis. */
  const closing = new Set<Promise<unknown>>();
  const rooms = new PokerRooms(
    poker,
    deps.channels,
    deps.fanout,
    log.child({ component: 'poker-rooms' }),
    config.maxBackpressureBytes,
    (roomId, seq, change) => deps.webhooks.pokerChange(roomId, seq, change),
  );
  const handler = new PokerHandler({
    rooms,
    poker,
    users,
    identity,
    log: log.child({ component: 'poker' }),
    redisTimer: (op) => metrics.redisLatency.startTimer({ op }),
  });
  let heartbeat: NodeJS.Timeout | undefined;
  let subscriberEverReady = deps.subscriber.status === 'ready';

  deps.subscriber.on('ready', () => {
    if (subscriberEverReady) {
      rooms.verify().catch((err: unknown) => log.warn({ err }, 'poker rooms could not be verified after reconnecting'));
    }
    subscriberEverReady = true;
  });

  return {
    endpoint: 'poker',
    mount(app: TemplatedApp, routes: HttpRoutes): void {
      app.ws(
        POKER_PATH,
        pokerSocketBehavior({
          secrets: config.secrets,
          handler,
          rooms,
          users,
          identity,
          log: log.child({ component: 'connect' }),
          maxBackpressureBytes: config.maxBackpressureBytes,
          metrics,
          upgrade: deps.upgrade,
          sockets,
          track: (work) => {
            closing.add(work);
            void work.finally(() => closing.delete(work));
          },
        }),
      );
      mountPokerHttp(routes, { poker, secrets: config.secrets, log: log.child({ component: 'http' }) });
    },
    start(): void {
      heartbeat ??= setInterval(
        () => deps.fanout.publish('poker', HEARTBEAT_TOPIC, pokerFrame({ event: 'heartbeat' })),
        config.heartbeatMs,
      );
    },
    async reassert(): Promise<void> {
      await handler.reassert(sockets);
      await rooms.verify();
    },
    tickedRooms: () => [],
    sockets: () => sockets,
    gauges(): FeatureGauges {
      return { connections: sockets.size, sessions: sockets.size, rooms: rooms.all().length };
    },
    async drain(): Promise<void> {
      clearInterval(heartbeat);
      await Promise.all([...closing]);
    },
  };
}
