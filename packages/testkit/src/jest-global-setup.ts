import { DOCKER_FOUND_ENV, dockerPolicy, testRun, useDocker } from './docker';
import { testRedisImage } from './test-redis';

/**
 * Jest global setup of the integration suites: decides once whether they use Docker (docker.ts)
 * and tells the workers through the environment, and says in the test log which way they run.
 */
export default async function globalSetup(): Promise<void> {
  testRun();
  const docker = await useDocker();
  process.env[DOCKER_FOUND_ENV] = docker ? '1' : '0';
  process.stderr.write(
    docker
      ? `\ntestkit: a Docker engine answers: single Redis servers run in containers of ${testRedisImage()}, and the image is built and smoke-tested\n`
      : `\ntestkit: no Docker engine used (BANTERBOX_TEST_DOCKER=${dockerPolicy()}): Redis runs as redis-server processes, and the image tests are skipped\n`,
  );
}
