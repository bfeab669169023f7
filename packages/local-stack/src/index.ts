export { LocalRedis, freePort, pingRedis, redisServerAvailable } from './local-redis';
export { AppProcess } from './app-process';
export { Waiters } from './waiters';
export { LocalStackError } from './errors';
