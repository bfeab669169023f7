import { currentVu } from '../state.mjs';

/** Timers keep their VU's iteration running until they fire or are cleared, as in k6. */
const owners = new Map();

export function setTimeout(fn, delay, ...args) {
  const vu = currentVu();
  vu.hold();
  const handle = globalThis.setTimeout(() => {
    owners.delete(handle);
    try {
      fn(...args);
    } catch (error) {
      vu.errors.push(error);
    } finally {
      vu.release();
    }
  }, delay);
  owners.set(handle, vu);
  return handle;
}

export function clearTimeout(handle) {
  const vu = owners.get(handle);
  if (!vu) return;
  owners.delete(handle);
  globalThis.clearTimeout(handle);
  vu.release();
}

export function setInterval(fn, delay, ...args) {
  const vu = currentVu();
  vu.hold();
  const handle = globalThis.setInterval(() => {
    try {
      fn(...args);
    } catch (error) {
      vu.errors.push(error);
    }
  }, delay);
  owners.set(handle, vu);
  return handle;
}

export function clearInterval(handle) {
  const vu = owners.get(handle);
  if (!vu) return;
  owners.delete(handle);
  globalThis.clearInterval(handle);
  vu.release();
}

export default { setTimeout, clearTimeout, setInterval, clearInterval };
