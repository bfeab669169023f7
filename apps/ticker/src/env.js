"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.readTickerConfig = readTickerConfig;
const node_os_1 = require("node:os");
const config_1 = require("@banterbox/config");
function readTickerConfig(source) {
    const env = new config_1.EnvReader(source);
    const common = (0, config_1.readCommon)(env);
    const leaderTtlMs = env.int('LEADER_TTL_MS', 5000, { min: 500, max: 120_000 });
    if (leaderTtlMs < common.tickMs * 2)
        env.problem(`LEADER_TTL_MS (${leaderTtlMs}) must be at least twice TICK_MS (${common.tickMs})`);
    return env.finish({
        ...common,
        tickerId: env.string('TICKER_ID', `${(0, node_os_1.hostname)()}-${process.pid}`),
        leaderTtlMs,
    });
}
//# sourceMappingURL=env.js.map