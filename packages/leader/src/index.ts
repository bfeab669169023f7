export { LeaderElector } from './leader-elector';
export type { ElectorOptions, ElectorEvents } from './leader-elector';
