import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The protocol models (docs/protocol-presence.md), checked exhaustively with SPIN: today's fenced
 * design must hold every invariant in every reachable state, and the design before it must fail
 * (so the models can tell the two apart). Needs `spin` and a C compiler (Debian: spin, gcc);
 * .ci/run installs them.
 */

interface Verdict {
  errors: number;
  states: number;
  violated: string | undefined;
}

function check(model: string, defines: string[]): Verdict {
  const dir = mkdtempSync(join(tmpdir(), 'bb-spin-'));
  try {
    copyFileSync(join(__dirname, model), join(dir, model));
    const run = (command: string, args: string[]): string => {
      const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      if (result.error) throw new Error(`${command} could not run (apt-get install spin gcc): ${result.error.message}`);
      if (result.status !== 0 && command !== './pan')
        throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
      return result.stdout;
    };
    run('spin', [...defines, '-a', model]);
    run('gcc', ['-w', '-O2', '-DSAFETY', '-o', 'pan', 'pan.c']);
    const out = run('./pan', ['-m200000']);
    const errors = /errors: (\d+)/.exec(out);
    const states = /(\d+) states, stored/.exec(out);
    if (!errors || !states) throw new Error(`unexpected pan output: ${out}`);
    const verdict = { errors: Number(errors[1]), states: Number(states[1]), violated: /assertion violated (.*) \(at depth/.exec(out)?.[1] };
    process.stdout.write(
      `${model} ${defines.join(' ') || '(unfenced)'}: ${verdict.states} states, ${verdict.errors} errors${verdict.violated ? `: ${verdict.violated}` : ''}\n`,
    );
    return verdict;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('protocol models (SPIN, exhaustive)', () => {
  it('presence: with fenced gateway writes no reaped write lands, the count is the live connections, and a settled gateway is counted exactly', () => {
    const verdict = check('presence.pml', ['-DFENCED']);
    expect(verdict.errors).toBe(0);
    expect(verdict.states).toBeGreaterThan(100_000);
  });

  it("presence: the unfenced design lets a reaped gateway's join land (the lost leave)", () => {
    const verdict = check('presence.pml', []);
    expect(verdict.errors).toBe(1);
    expect(verdict.violated).toContain('reaped[i]');
  });

  it('ticks: with the epoch fence a (room, ts) is stored at most once and never by a deposed leader, across two partitions and a room changing partition', () => {
    const verdict = check('tick.pml', ['-DFENCED']);
    expect(verdict.errors).toBe(0);
    expect(verdict.states).toBeGreaterThan(100_000);
  });

  it('ticks: without the epoch fence a deposed leader stores after its successor', () => {
    const verdict = check('tick.pml', []);
    expect(verdict.errors).toBe(1);
    expect(verdict.violated).toContain('>=fence');
  });
});
