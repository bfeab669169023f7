// A small Node adapter that runs the banterbox k6 scripts once, at tiny size, against a real
// gateway: it implements just the k6 modules the scripts import (k6, k6/http, k6/metrics,
// k6/websockets, k6/timers, k6/execution), runs setup(), every scenario's VUs for one iteration
// each (concurrently; no durations or arrival rates), evaluates the thresholds and calls
// handleSummary. It verifies the scripts' protocol use and their checks; it is not a k6
// replacement and measures nothing worth reporting.
//
//   node k6/adapter/run.mjs k6/vote-audience.js -e BANTERBOX_URL=http://127.0.0.1:8080 -e VUS=3
import { register } from 'node:module';
import { writeFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Vu, checks, iterations, metrics, vuContext } from './state.mjs';

register('./hooks.mjs', import.meta.url);

const THRESHOLD = /^(avg|min|max|med|count|rate|value|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)$/;

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (rank - low);
}

/** k6's summary values of one metric. */
function values(m, seconds) {
  const v = m.values;
  if (m.type === 'counter') return { count: v.reduce((a, b) => a + b, 0), rate: v.reduce((a, b) => a + b, 0) / seconds };
  if (m.type === 'rate') {
    const passes = v.filter((x) => x).length;
    return { rate: v.length ? passes / v.length : 0, passes, fails: v.length - passes };
  }
  if (m.type === 'gauge') return { value: v[v.length - 1] ?? 0 };
  const sorted = [...v].sort((a, b) => a - b);
  return {
    avg: v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0,
    min: sorted[0] ?? 0,
    med: percentile(sorted, 50),
    max: sorted[sorted.length - 1] ?? 0,
    'p(90)': percentile(sorted, 90),
    'p(95)': percentile(sorted, 95),
    'p(99)': percentile(sorted, 99),
    count: v.length,
  };
}

function evaluate(expression, m, stats) {
  const match = THRESHOLD.exec(expression.replace(/\s+/g, ''));
  if (!match) throw new Error(`k6 adapter: cannot read threshold "${expression}"`);
  const [, stat, p, op, limit] = match;
  if (m.type === 'trend' && m.values.length === 0) return { ok: false, actual: 'no samples' };
  let actual =
    p === undefined
      ? stats[stat]
      : percentile(
          [...m.values].sort((a, b) => a - b),
          Number(p),
        );
  if (stat === 'count' && m.type === 'trend') actual = m.values.length;
  const n = Number(limit);
  const ok = { '<': actual < n, '<=': actual <= n, '>': actual > n, '>=': actual >= n, '==': actual === n, '!=': actual !== n }[op];
  return { ok, actual };
}

function scenarioVus(options, maxVus) {
  const scenarios = options.scenarios ?? { default: { vus: options.vus ?? 1 } };
  return Object.entries(scenarios).map(([name, s]) => ({ name, vus: Math.max(1, Math.min(maxVus, s.vus ?? s.preAllocatedVUs ?? 1)) }));
}

/** Runs one k6 script; resolves with what passed and failed. */
export async function runK6Script(script, env = {}, { maxVus = 10, timeoutMs = 120_000 } = {}) {
  globalThis.__ENV = { ...env };
  Object.defineProperty(globalThis, '__VU', { configurable: true, get: () => vuContext.getStore()?.id ?? 0 });
  Object.defineProperty(globalThis, '__ITER', { configurable: true, get: () => vuContext.getStore()?.iteration ?? 0 });
  const module = await import(pathToFileURL(resolvePath(script)).href);
  const options = module.options ?? {};
  const started = Date.now();
  const errors = [];
  const runVu = async (vu, fn) => {
    await vuContext.run(vu, async () => {
      try {
        return await fn();
      } catch (error) {
        vu.errors.push(error);
        return undefined;
      }
    });
    await vu.idle();
    errors.push(...vu.errors.map((e) => `VU ${vu.id}: ${e instanceof Error ? e.message : String(e)}`));
  };

  let data;
  const setupVu = new Vu(0);
  await runVu(setupVu, async () => {
    data = module.setup ? JSON.parse(JSON.stringify((await module.setup()) ?? null)) : undefined;
  });
  let nextId = 1;
  const all = [];
  for (const { vus } of scenarioVus(options, maxVus)) {
    for (let i = 0; i < vus; i += 1) {
      const vu = new Vu(nextId++);
      vu.iteration = iterations.count++;
      all.push(runVu(vu, () => module.default(data)));
    }
  }
  let timer;
  const timeout = new Promise(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`k6 adapter: ${script} still running after ${timeoutMs} ms`)), timeoutMs)),
  );
  await Promise.race([Promise.all(all), timeout]).finally(() => clearTimeout(timer));
  if (module.teardown) await runVu(new Vu(0), () => module.teardown(data));

  const seconds = Math.max(0.001, (Date.now() - started) / 1000);
  const summary = {
    metrics: {},
    root_group: { checks: [...checks].map(([name, c]) => ({ name, ...c })) },
    state: { testRunDurationMs: seconds * 1000 },
  };
  const thresholds = [];
  for (const [name, m] of metrics)
    summary.metrics[name] = { type: m.type, contains: m.isTime ? 'time' : 'default', values: values(m, seconds) };
  for (const [name, expressions] of Object.entries(options.thresholds ?? {})) {
    const m = metrics.get(name) ?? { type: 'counter', values: [] };
    const stats = values(m, seconds);
    for (const expression of expressions) {
      const result = evaluate(expression, m, stats);
      thresholds.push({ metric: name, expression, ...result });
      ((summary.metrics[name] ??= { type: m.type, values: stats }).thresholds ??= {})[expression] = { ok: result.ok };
    }
  }
  if (module.handleSummary) {
    for (const [target, content] of Object.entries((await module.handleSummary(summary)) ?? {})) {
      if (target === 'stdout') process.stdout.write(String(content));
      else if (target !== 'stderr') writeFileSync(target, String(content));
    }
  }
  const failedChecks = summary.root_group.checks.filter((c) => c.fails > 0);
  return {
    ok: errors.length === 0 && failedChecks.length === 0 && thresholds.every((t) => t.ok),
    checks: summary.root_group.checks,
    thresholds,
    errors,
    summary,
  };
}

async function main() {
  const [script, ...rest] = process.argv.slice(2);
  if (!script) throw new Error('usage: node k6/adapter/run.mjs <script.js> [-e NAME=value ...]');
  const env = {};
  for (let i = 0; i < rest.length; i += 1) {
    if (rest[i] !== '-e') continue;
    const [name, ...value] = rest[++i].split('=');
    env[name] = value.join('=');
  }
  const result = await runK6Script(script, env, { maxVus: Number(env.ADAPTER_MAX_VUS ?? 10) });
  process.stdout.write(
    `${JSON.stringify({ ok: result.ok, checks: result.checks, thresholds: result.thresholds, errors: result.errors }, null, 2)}\n`,
  );
  process.exit(result.ok ? 0 : 1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  });
}
