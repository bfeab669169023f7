import type { TemplatedApp } from 'uWebSockets.js';
import { VoteStore } from '@banterbox/store';
import type { FeatureDeps } from '../feature-deps';
import type { FeatureGauges, GatewayFeature } from '../feature';
import type { HttpRoutes } from '../http/http';
import type { RoomActivity } from '../lifecycle/gateway-lease';
import { mountVoteExport } from './vote-export';
import { mountVoteHttp } from './vote-http';
import { VoteRooms } from './vote-rooms';
import { voteSocketBehavior, type VoteSocket } from './vote-socket';
import { VoteWriter } from './vote-writer';

/** The path of the vote socket (SPEC §5). */
export const VOTE_PATH = '/api/vote_ws/';

/**
 * Vote rooms (SPEC §5): `/api/vote_ws/`, the rooms' HTTP API, and the batched writes of presence
 * and votes into Redis.
 */
export function createVoteFeature(deps: FeatureDeps & { activity: RoomActivity }): GatewayFeature {
  const { config, metrics, log } = deps;
  const store = new VoteStore(deps.redis, { historyLimit: config.historyLimit, roomTtlMs: config.roomTtlMs });
  const sockets = new Set<VoteSocket>();
  const writer = new VoteWriter({
    store,
    activity: deps.activity,
    flushMs: config.voteFlushMs,
    log: log.child({ component: 'writer' }),
    onBatch: (ops, applied, coalesced, seconds) => {
      metrics.batch(ops, applied, coalesced);
      metrics.redisLatency.observe({ op: 'vote_batch' }, seconds);
    },
    onDropped: (ops) => metrics.dropped(ops),
  });
  const rooms = new VoteRooms({
    store,
    channels: deps.channels,
    writer,
    fanout: deps.fanout,
    metrics,
    historyLimit: config.historyLimit,
    webhooks: deps.webhooks,
    log: log.child({ component: 'rooms' }),
  });

  return {
    endpoint: 'vote',
    mount(app: TemplatedApp, routes: HttpRoutes): void {
      app.ws(
        VOTE_PATH,
        voteSocketBehavior({
          secrets: config.secrets,
          rooms,
          log: log.child({ component: 'vote_ws' }),
          maxBackpressureBytes: config.maxBackpressureBytes,
          metrics,
          fanout: deps.fanout,
          upgrade: deps.upgrade,
          sockets,
        }),
      );
      mountVoteHttp(routes, {
        store,
        secrets: config.secrets,
        adminKey: config.adminKey,
        tickMs: config.tickMs,
        historyLimit: config.historyLimit,
        demoRoom: config.demoRoom,
        webhooks: deps.webhooks,
        log: log.child({ component: 'http' }),
      });
      mountVoteExport(routes, { store, secrets: config.secrets, adminKey: config.adminKey, log: log.child({ component: 'export' }) });
    },
    start: () => undefined,
    reassert: () => rooms.reassert(),
    tickedRooms: () => rooms.all().map((room) => room.id),
    sockets: () => sockets,
    gauges(): FeatureGauges {
      let sessions = 0;
      for (const ws of sockets) if (ws.getUserData().phase === 'joined') sessions += 1;
      return { connections: sockets.size, sessions, rooms: rooms.all().length };
    },
    async drain(): Promise<void> {
      await writer.drain();
      log.info({ ...writer.stats }, 'vote writes drained');
    },
  };
}
