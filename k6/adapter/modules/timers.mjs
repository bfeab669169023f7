import { currentVu } from '../state.mjs';

/** Timers keep their VU's iteration running until they fire (a timeout) or are cleared, as in k6. */
const owners = new Map();

/** Starts a timer for the current VU; a callback that throws is recorded as the VU's error. */
function start(schedule, fn, delay, args, once) {
  const vu = currentVu();
  vu.hold();
  const handle = schedule(() => {
    if (once) owners.delete(handle);
    try {
      fn(...args);
    } catch (error) {
      vu.errors.push(error);
    } finally {
      if (once) vu.release();
    }
  }, delay);
  owners.set(handle, vu);
  return handle;
}

function stop(cancel, handle) {
  const vu = owners.get(handle);
  if (!vu) return;
  owners.delete(handle);
  cancel(handle);
  vu.release();
}

export const setTimeout = (fn, delay, ...args) => start(globalThis.setTimeout, fn, delay, args, true);
export const clearTimeout = (handle) => stop(globalThis.clearTimeout, handle);
export const setInterval = (fn, delay, ...args) => start(globalThis.setInterval, fn, delay, args, false);
export const clearInterval = (handle) => stop(globalThis.clearInterval, handle);

export default { setTimeout, clearTimeout, setInterval, clearInterval };
