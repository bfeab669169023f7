import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { getContainerRuntimeClient } from 'testcontainers';

/**
 * Whether tests use a Docker engine, from BANTERBOX_TEST_DOCKER:
 * - `auto` (the default): where an engine answers, Redis runs in containers and the image is
 *   built and smoke-tested; elsewhere Redis runs as redis-server processes and the image tests
 *   are reported as skipped;
 * - `require` (CI): as auto, but no engine answering is an error;
 * - `off`: never, even where an engine answers.
 */
export type DockerPolicy = 'auto' | 'require' | 'off';

export function dockerPolicy(): DockerPolicy {
  const value = process.env.BANTERBOX_TEST_DOCKER ?? 'auto';
  if (value === 'auto' || value === 'require' || value === 'off') return value;
  throw new Error(`BANTERBOX_TEST_DOCKER=${value}: expected auto, require or off`);
}

/**
 * Set by the jest global setup to what it found ("1" or "0"), so that workers and test files
 * know without asking the engine again (and can decide synchronously, as `describe` must).
 */
export const DOCKER_FOUND_ENV = 'BANTERBOX_TEST_DOCKER_FOUND';

/** Label on every container the test kit starts, with what it is (`redis`, `image`). */
export const TESTKIT_LABEL = 'org.banterbox.testkit';
/** Label with the test run a container belongs to: a run removes only its own leftovers. */
const RUN_LABEL = 'org.banterbox.testkit.run';

/** This test run's id (set once by the global setup, so that workers share it). */
export function testRun(): string {
  process.env.BANTERBOX_TEST_RUN ??= randomBytes(6).toString('hex');
  return process.env.BANTERBOX_TEST_RUN;
}

/** The labels of a container the kit starts: what it is, and this run. */
export function testkitLabels(kind: string): Record<string, string> {
  return { [TESTKIT_LABEL]: kind, [RUN_LABEL]: testRun() };
}

/** The same as `docker run` arguments. */
export function testkitLabelArgs(kind: string): string[] {
  return Object.entries(testkitLabels(kind)).flatMap(([name, value]) => ['--label', `${name}=${value}`]);
}

let found: Promise<boolean> | undefined;

/** Whether tests use Docker here: the policy, and whether an engine answers. */
export function useDocker(): Promise<boolean> {
  found ??= decide();
  return found;
}

async function decide(): Promise<boolean> {
  const policy = dockerPolicy();
  if (policy === 'off') return false;
  const known = process.env[DOCKER_FOUND_ENV];
  if (known === '1' || known === '0') return known === '1';
  // The kit removes its own containers (TESTKIT_LABEL), so testcontainers' reaper, an image that
  // is pulled on first use, is off unless asked for.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // Its containers run on the host's network and are reached on loopback; without this,
  // testcontainers looks for the address through the engine's bridge network, which an engine
  // run with --bridge=none does not have.
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  try {
    await getContainerRuntimeClient();
    return true;
  } catch (error) {
    if (policy === 'require') {
      throw new Error(
        `BANTERBOX_TEST_DOCKER=require, but no Docker engine answers: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return false;
  }
}

/** What `useDocker` decided, for tests that must decide synchronously (set by the global setup). */
export function dockerFound(): boolean {
  return dockerPolicy() !== 'off' && process.env[DOCKER_FOUND_ENV] === '1';
}

/** Removes every container this run started that is still there (a worker that died mid-test). */
export function removeTestkitContainers(): number {
  const listed = spawnSync('docker', ['ps', '-aq', '--filter', `label=${RUN_LABEL}=${testRun()}`], { encoding: 'utf8' });
  const ids = listed.status === 0 ? listed.stdout.split(/\s+/).filter(Boolean) : [];
  if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  return ids.length;
}
