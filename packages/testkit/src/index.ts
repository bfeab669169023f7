export { TestRedis, freePort, pingRedis, redisServerAvailable } from './redis-server';
export { TestSocket, eventually } from './ws-client';
export type { Closed } from './ws-client';
export { AppProcess } from './processes';
export { kustomizeBuild, readYamlDocuments, strategicMerge, KustomizeError } from './kustomize';
export type { Resource } from './kustomize';
