import { spawn, type ChildProcess } from 'node:child_process';
import { LocalStackError } from './errors';
import { killOnExit } from './orphans';
import { Waiters } from './waiters';

/** A real app process (gateway or ticker) whose JSON log lines its starter can wait for. */
export class AppProcess {
  readonly lines: Record<string, unknown>[] = [];
  exited: number | null | undefined;
  private buffer = '';
  private readonly waiters = new Waiters();

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.read(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.read(chunk));
    child.on('exit', (code, signal) => {
      this.exited = code ?? (signal ? -1 : null);
      this.waiters.notify();
    });
  }

  static start(script: string, env: Record<string, string>, nodeArgs: string[] = [], prefix: readonly string[] = []): AppProcess {
    // `prefix` runs node under another command, e.g. `ip netns exec <ns>`.
    const [command = process.execPath, ...args] = [...prefix, process.execPath, ...nodeArgs, script];
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(child);
    return new AppProcess(child);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new LocalStackError('process has no pid');
    return this.child.pid;
  }

  private read(chunk: Buffer): void {
    this.buffer += chunk.toString();
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ msg: line });
      }
    }
    this.waiters.notify();
  }

  /** Waits for a log line whose `msg` equals `msg` (and that matches `extra`), after index `from`. */
  waitForLog(msg: string, timeoutMs = 10_000, from = 0): Promise<Record<string, unknown>> {
    const probe = (): Record<string, unknown> | undefined => {
      const line = this.lines.slice(from).find((l) => l.msg === msg);
      if (!line && this.exited !== undefined)
        throw new LocalStackError(`process exited (${this.exited}) before logging "${msg}": ${this.tail()}`);
      return line;
    };
    return this.waiters.until(probe, timeoutMs, () => `no "${msg}" log: ${this.tail()}`);
  }

  hasLogged(msg: string, from = 0): boolean {
    return this.lines.slice(from).some((l) => l.msg === msg);
  }

  tail(count = 8): string {
    return JSON.stringify(this.lines.slice(-count));
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with the exit code (-1 for a signal) once the process has exited. */
  waitForExit(timeoutMs = 10_000): Promise<number | null> {
    return this.waiters
      .until(
        () => (this.exited === undefined ? undefined : { code: this.exited }),
        timeoutMs,
        () => `waiting for exit; last lines: ${this.tail()}`,
      )
      .then((e) => e.code);
  }

  /** SIGTERM (the app's drain), then waits for the exit; SIGKILL if it does not exit within `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.exited !== undefined) return;
    this.signal('SIGTERM');
    await this.waitForExit(timeoutMs).catch(() => this.kill());
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    if (this.exited !== undefined) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
