export {
  LocalCluster as TestCluster,
  LocalSentinel as TestSentinel,
  AppProcess,
  freePort,
  pingRedis,
  redisCli,
  redisServerAvailable,
} from '@banterbox/local-stack';
export type { LocalTopology, ThrowawayRedis } from '@banterbox/local-stack';
export { TestRedis, ContainerRedis, testRedisImage } from './test-redis';
export { dockerPolicy, useDocker, dockerFound, removeTestkitContainers, testkitLabelArgs, DOCKER_FOUND_ENV } from './docker';
export type { DockerPolicy } from './docker';
export { TestSocket, eventually, watchFrames } from './ws-client';
export type { Closed } from './ws-client';
export {
  kustomizeBuild,
  findResource,
  kubectlKustomize,
  hasKubectl,
  readYamlDocuments,
  strategicMerge,
  parseImage,
  formatImage,
  setImage,
  KustomizeError,
} from './kustomize';
export type { ImageRef } from './kustomize';
export type { Resource } from './kustomize';
export { SECRET, ADMIN_KEY, topologies, testEnv, appTestEnv, startInProcess, token, isData, joinRoom, waitForPoint } from './harness';
export type { DataFrame } from './harness';
export { PokerClient, sessionCookie, named, createPokerRoom, joinPokerRoom } from './poker-client';
export type { PokerEventFrame } from './poker-client';
export {
  gatewayProcess,
  TICKER_MAIN,
  processEnv,
  spawnGateway,
  startGatewayProcess,
  startTickerProcess,
  startGatewayApp,
  startTickerApp,
  httpStatus,
  untilStatus,
} from './process-stack';
export type { GatewayProcess, Reachable, RunningApp } from './process-stack';
export { NetnsHost } from './netns';
export { Crowd } from './crowd';
export { WireCheck, wireCheck, checkFetchedResponses, recordWireViolations, takeWireViolations } from './wire-check';
