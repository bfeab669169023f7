import type { ConnectionState } from '@banterbox/client';
import { h } from './dom';

/** Why a page cannot show its room; each has its own message (and `data-problem` for tests). */
export type ProblemKind = 'not_found' | 'not_open' | 'expired' | 'unreachable' | 'session' | 'refused' | 'bad_address';

export interface Problem {
  kind: ProblemKind;
  title: string;
  detail: string;
  /** Whether the page keeps trying by itself (the server may come back) or has given up. */
  retrying: boolean;
}

export function problem(kind: ProblemKind, room = ''): Problem {
  switch (kind) {
    case 'not_found':
      return {
        kind,
        title: 'Room not found',
        detail: `There is no room "${room}". Check the link for typos, or ask for a new one.`,
        retrying: false,
      };
    case 'not_open':
      return {
        kind,
        title: 'This room is not open to guests',
        detail: 'Joining it needs a link with a token. Ask the person who runs the room for one.',
        retrying: false,
      };
    case 'expired':
      return {
        kind,
        title: 'This link has expired',
        detail: 'Its token is no longer valid (it expired, or the server was given a new secret). Ask for a new link.',
        retrying: false,
      };
    case 'unreachable':
      return {
        kind,
        title: 'Cannot reach the server',
        detail: 'The connection dropped and the server does not answer yet. Retrying by itself…',
        retrying: true,
      };
    case 'session':
      return {
        kind,
        title: 'Your session was refused',
        detail: 'The server no longer accepts this browser session and did not give a new one. Reload the page to start again.',
        retrying: false,
      };
    case 'refused':
      return {
        kind,
        title: 'The server closed the connection',
        detail: 'It refused a message from this page. Reload the page to start again.',
        retrying: false,
      };
    case 'bad_address':
      return {
        kind,
        title: 'Room not found',
        detail: 'This address does not name a room: a room id is 1 to 64 letters, digits, - or _.',
        retrying: false,
      };
  }
}

/**
 * Shows `p` in `box` (a title, a detail and, where reloading could help, a reload button unless
 * `actions` is false), or hides the box.
 */
export function showProblem(box: HTMLElement, p: Problem | undefined, actions = true): void {
  if (!p) {
    box.hidden = true;
    delete box.dataset.problem;
    box.replaceChildren();
    return;
  }
  box.hidden = false;
  box.dataset.problem = p.kind;
  const reload = actions && !p.retrying && p.kind !== 'not_found' && p.kind !== 'bad_address';
  box.replaceChildren(h('strong', { class: 'problem-title' }, p.title), h('span', { class: 'problem-detail' }, p.detail));
  if (reload) box.append(h('button', { type: 'button', onclick: () => location.reload() }, 'Reload'));
}

/** Failed attempts in a row before a page says the server is unreachable (the first may be a blip). */
const QUIET_ATTEMPTS = 2;

/**
 * What a page says about its connection (a @banterbox/client state, its failed attempts and, once
 * closed, its reason): the server is away, or the client gave up and why. `renewable`: a refused
 * token was a guest's (the session is at fault), not a link's (the link expired).
 */
export function connectionProblem(
  state: ConnectionState,
  attempts: number,
  reason?: string,
  room = '',
  renewable = true,
): Problem | undefined {
  if (state === 'reconnecting') return attempts >= QUIET_ATTEMPTS ? problem('unreachable') : undefined;
  if (state !== 'closed' || reason === undefined || reason === 'closed') return undefined;
  if (reason === 'not_found' || reason === 'not_open' || reason === 'session') return problem(reason, room);
  if (reason === 'unauthorized' || reason === 'token_refused') return problem(renewable ? 'session' : 'expired', room);
  return problem('refused', room);
}
