import { ConfigError, type EnvSource } from '@banterbox/config';
import { createLogger, type Logger } from '@banterbox/logger';

export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** An app as its `main` (and a test that starts it in-process) sees it: its env parser and factory. */
export interface ServiceDefinition<C extends { logLevel: Parameters<typeof createLogger>[0]['level'] }, S extends Service = Service> {
  name: string;
  readConfig: (env: EnvSource) => C;
  create: (config: C, log: Logger) => S;
}

/** Exit code for invalid configuration (EX_CONFIG), so orchestrators can tell it apart. */
const EXIT_CONFIG = 78;

/**
 * The `main` of every app: parse env once (exit 78 listing every problem), build the service,
 * start it, and stop it once on SIGTERM/SIGINT before exiting.
 */
export function runService<C extends { logLevel: Parameters<typeof createLogger>[0]['level'] }>(
  definition: ServiceDefinition<C>,
  onCreated?: (config: C, log: Logger) => void,
): void {
  const { name } = definition;
  let log: Logger | undefined;
  const run = async (): Promise<void> => {
    const config = definition.readConfig(process.env);
    const logger = createLogger({ name, level: config.logLevel });
    log = logger;
    onCreated?.(config, logger);
    const service = definition.create(config, logger);
    const shutdown = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      service.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    await service.start();
  };
  run().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    if (log) log.fatal({ err: error }, 'failed to start');
    else process.stderr.write(`${name}: failed to start: ${detail}\n`);
    process.exit(1);
  });
}
