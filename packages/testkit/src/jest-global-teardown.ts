import { dockerFound, removeTestkitContainers } from './docker';

/** Jest global teardown: removes any container a test left behind (one whose worker died mid-test). */
export default function globalTeardown(): void {
  if (!dockerFound()) return;
  const removed = removeTestkitContainers();
  if (removed > 0) process.stderr.write(`testkit: removed ${removed} container(s) that tests left behind\n`);
}
