type Child = Node | string | null | undefined | false;

/** Creates an element with attributes (`on*` functions become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | number | EventListener | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

/** Shows `text` in the element, or hides it when there is none (a question, a label). */
export function showText(id: string, text: string | undefined): void {
  const element = byId(id);
  element.textContent = text ?? '';
  element.hidden = !text;
}

/** Shows a connection state in an element with `data-state` for styling and tests. */
export function showState(element: HTMLElement, state: string, label: string): void {
  element.dataset.state = state;
  element.textContent = label;
}

/** Labels of the client's connection states (@banterbox/client). */
export const STATE_LABELS: Readonly<Record<string, string>> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};
