/** The name this browser last used on the poker page, so a fresh session (a new server secret) gets it back. */
const NAME_KEY = 'banterbox:name';

export function storedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return ''; // storage blocked: the page works without it
  }
}

export function storeName(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // storage blocked: nothing to keep
  }
}
