import { createServer } from 'node:net';

export interface PortUse {
  host: string;
  port: number;
  /** The variable that moves it. */
  variable: string;
  what: string;
}

function free(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The wanted ports something else already listens on (port 0 is always free). */
export async function takenPorts(uses: PortUse[]): Promise<PortUse[]> {
  const checked = await Promise.all(uses.map(async (use) => (use.port === 0 || (await free(use.host, use.port)) ? undefined : use)));
  return checked.filter((use): use is PortUse => use !== undefined);
}
