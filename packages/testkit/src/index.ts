export { LocalRedis as TestRedis, AppProcess, freePort, pingRedis, redisServerAvailable } from '@banterbox/local-stack';
export { TestSocket, eventually } from './ws-client';
export type { Closed } from './ws-client';
export { kustomizeBuild, readYamlDocuments, strategicMerge, KustomizeError } from './kustomize';
export type { Resource } from './kustomize';
export { SECRET, ADMIN_KEY, testEnv, startGateway, startTicker, token, isData, joinRoom, waitForPoint } from './harness';
export type { DataFrame } from './harness';
export { PokerClient, sessionCookie, named, createPokerRoom, joinPokerRoom } from './poker-client';
export type { PokerEventFrame } from './poker-client';
