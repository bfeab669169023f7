"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createTicker = createTicker;
const leader_1 = require("@banterbox/leader");
const store_1 = require("@banterbox/store");
const tick_clock_1 = require("./tick-clock");
/** Rooms ticked per pipeline; leadership is re-checked between chunks. */
const ROOMS_PER_PIPELINE = 1000;
/** Dead gateways reaped per tick at most (each can take a while for big rooms). */
const REAP_PER_TICK = 8;
/**
 * One ticker replica. Every replica runs the tick clock; only the leader acts on a tick: it
 * reaps dead gateways, then stores and publishes each active room's point through the fenced
 * tickRoom script.
 */
function createTicker({ config, log }) {
    const redis = (0, store_1.registerScripts)((0, store_1.connectRedis)(config.redisUrl, { name: 'ticker-cmd', queueWhileDisconnected: false }));
    const leaderRedis = (0, store_1.connectRedis)(config.redisUrl, { name: 'ticker-leader', queueWhileDisconnected: false });
    const store = new store_1.VoteStore(redis, { historyLimit: config.historyLimit, roomTtlMs: config.roomTtlMs });
    const elector = new leader_1.LeaderElector({ redis: leaderRedis, id: config.tickerId, ttlMs: config.leaderTtlMs, log });
    const stats = { ticks: 0, stored: 0, fenced: 0, lastTs: 0, lastDurationMs: 0, gatewaysReaped: 0 };
    let stopped;
    redis.on('error', (error) => log.warn({ err: error.message }, 'redis command connection error'));
    leaderRedis.on('error', (error) => log.warn({ err: error.message }, 'redis leader connection error'));
    async function reapDeadGateways(redisNow) {
        for (const gatewayId of await (0, store_1.expiredGateways)(redis, redisNow, REAP_PER_TICK)) {
            const released = await (0, store_1.reapGateway)(store, gatewayId);
            stats.gatewaysReaped += 1;
            log.info({ gatewayId, released }, 'reaped dead gateway');
        }
    }
    async function tickRooms(ts, epoch, rooms) {
        let stored = 0;
        let fenced = 0;
        for (let start = 0; start < rooms.length; start += ROOMS_PER_PIPELINE) {
            if (!elector.isLeader())
                break;
            const pipeline = store.pipeline();
            for (const roomId of rooms.slice(start, start + ROOMS_PER_PIPELINE))
                store.addTick(pipeline, roomId, epoch, ts);
            for (const code of await (0, store_1.execPipeline)(pipeline)) {
                if (code === 1)
                    stored += 1;
                else if (code === -1)
                    fenced += 1;
            }
            if (fenced > 0)
                break;
        }
        return { stored, fenced };
    }
    async function onTick(ts, lagMs) {
        if (!elector.isLeader() || redis.status !== 'ready')
            return;
        const started = Date.now();
        const epoch = elector.currentEpoch();
        try {
            const redisNow = await (0, store_1.redisTimeMs)(redis);
            await reapDeadGateways(redisNow);
            const rooms = await (0, store_1.activeRooms)(redis, redisNow - 2 * config.gatewayLeaseMs);
            const { stored, fenced } = await tickRooms(ts, epoch, rooms);
            stats.ticks += 1;
            stats.stored += stored;
            stats.fenced += fenced;
            stats.lastTs = ts;
            stats.lastDurationMs = Date.now() - started;
            log.debug({ ts, epoch, rooms: rooms.length, stored, fenced, lagMs, durationMs: stats.lastDurationMs }, 'tick');
            if (fenced > 0)
                elector.stepDown(`fenced: a leader with a newer epoch than ${epoch} ticked these rooms`);
        }
        catch (error) {
            log.warn({ err: error, ts }, 'tick failed');
        }
    }
    const clock = new tick_clock_1.TickClock(config.tickMs, onTick);
    async function start() {
        await Promise.all([(0, store_1.whenReady)(redis, 15_000), (0, store_1.whenReady)(leaderRedis, 15_000)]);
        elector.start();
        clock.start();
        log.info({ tickerId: config.tickerId, tickMs: config.tickMs }, 'ticker started');
    }
    async function shutdown() {
        clock.stop();
        await elector.stop();
        redis.disconnect();
        leaderRedis.disconnect();
        log.info('ticker stopped');
    }
    return {
        start,
        stop: () => (stopped ??= shutdown()),
        isLeader: () => elector.isLeader(),
        stats,
    };
}
//# sourceMappingURL=ticker.js.map