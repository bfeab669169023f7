export { ConfigError, EnvReader, LOG_LEVELS_LIST } from './env-reader';
export type { EnvSource } from './env-reader';
export { readCommon } from './common';
export type { CommonConfig } from './common';
