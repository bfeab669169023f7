"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.readTickerConfig = exports.createTicker = void 0;
var ticker_1 = require("./ticker");
Object.defineProperty(exports, "createTicker", { enumerable: true, get: function () { return ticker_1.createTicker; } });
var env_1 = require("./env");
Object.defineProperty(exports, "readTickerConfig", { enumerable: true, get: function () { return env_1.readTickerConfig; } });
//# sourceMappingURL=index.js.map