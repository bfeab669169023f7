import { checks, metric } from '../state.mjs';

/** `check(value, { name: predicate })`: records each predicate's outcome; true if all passed. */
export function check(value, sets) {
  let all = true;
  for (const [name, predicate] of Object.entries(sets)) {
    let ok;
    try {
      ok = Boolean(typeof predicate === 'function' ? predicate(value) : predicate);
    } catch {
      ok = false;
    }
    const entry = checks.get(name) ?? { passes: 0, fails: 0 };
    if (ok) entry.passes += 1;
    else entry.fails += 1;
    checks.set(name, entry);
    metric('checks', 'rate').values.push(ok ? 1 : 0);
    all &&= ok;
  }
  return all;
}

export function fail(message) {
  throw new Error(message);
}

/** k6's sleep blocks one VU; here it would block every VU, so scripts use k6/timers instead. */
export function sleep() {
  throw new Error('k6 adapter: sleep() is not supported; use setTimeout from k6/timers');
}

export default { check, fail, sleep };
