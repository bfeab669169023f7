import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let installed = false;

/**
 * Kills `child` (SIGKILL) when this process exits, if it is still running then. A test runner
 * that ends a worker while a test that timed out still holds servers and apps (its `finally`
 * never ran) would otherwise leave them running after it.
 */
export function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const orphan of live) orphan.kill('SIGKILL');
  });
}
