import { execFileSync } from 'node:child_process';

/**
 * A test host of its own: a network namespace joined to this machine by a veth pair, with one
 * address on each end (198.18.0.0/15, the range set aside for network tests, never routed). An
 * app started in it (`prefix`) reaches this machine at `hostAddress` and is reached at
 * `address`; `cut(port)` drops its packets to and from a port of this machine (iptables inside
 * the namespace), so its TCP connections to it stay open but carry nothing until `heal()`.
 * Needs root, iproute2 and iptables (.ci/run installs them).
 */
export class NetnsHost {
  private readonly rules: string[][] = [];

  private constructor(
    readonly name: string,
    private readonly hostLink: string,
    readonly hostAddress: string,
    readonly address: string,
  ) {}

  /** `index` (1-250) keeps concurrent hosts apart: links bb<index>h/bb<index>n, 198.18.<index>.1 and .2. */
  static create(index: number): NetnsHost {
    const name = `bb-test-${index}-${process.pid}`;
    const host = new NetnsHost(name, `bb${index}h`, `198.18.${index}.1`, `198.18.${index}.2`);
    const inner = `bb${index}n`;
    host.destroy(); // leftovers of a run that was killed
    try {
      run('ip', ['netns', 'add', name]);
      run('ip', ['link', 'add', host.hostLink, 'type', 'veth', 'peer', 'name', inner]);
      run('ip', ['link', 'set', inner, 'netns', name]);
      run('ip', ['addr', 'add', `${host.hostAddress}/30`, 'dev', host.hostLink]);
      run('ip', ['link', 'set', host.hostLink, 'up']);
      host.exec('ip', ['addr', 'add', `${host.address}/30`, 'dev', inner]);
      host.exec('ip', ['link', 'set', inner, 'up']);
      host.exec('ip', ['link', 'set', 'lo', 'up']);
    } catch (error) {
      host.destroy();
      throw error;
    }
    return host;
  }

  /** The command prefix that runs a program inside the namespace. */
  get prefix(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  exec(command: string, args: string[]): void {
    run('ip', ['netns', 'exec', this.name, command, ...args]);
  }

  /** Drops every packet between the namespace and `port` on this machine, both ways. */
  cut(port: number): void {
    for (const rule of [
      ['OUTPUT', '-p', 'tcp', '-d', this.hostAddress, '--dport', String(port), '-j', 'DROP'],
      ['INPUT', '-p', 'tcp', '-s', this.hostAddress, '--sport', String(port), '-j', 'DROP'],
    ]) {
      this.exec('iptables', ['-A', ...rule]);
      this.rules.push(rule);
    }
  }

  heal(): void {
    for (const rule of this.rules.splice(0)) this.exec('iptables', ['-D', ...rule]);
  }

  /** Removes the namespace and the link (idempotent). */
  destroy(): void {
    tryRun('ip', ['netns', 'del', this.name]);
    tryRun('ip', ['link', 'del', this.hostLink]);
  }
}

function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: 'pipe', timeout: 10_000 });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`${command} ${args.join(' ')} failed (root, iproute2 and iptables are needed): ${stderr || String(error)}`);
  }
}

function tryRun(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: 'pipe', timeout: 10_000 });
  } catch {
    // absent already
  }
}
