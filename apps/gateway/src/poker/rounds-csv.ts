import { revealStats } from '@banterbox/protocol';
import type { PokerRound } from '@banterbox/store';

const HEADER = ['round', 'cleared_at', 'topic', 'user_id', 'name', 'value', 'comment', 'mean', 'median', 'consensus'];

/**
 * One CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula gets a leading
 * apostrophe, so an exported comment cannot execute anything.
 */
function cell(value: string | number | boolean | null): string {
  let text = value === null ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A room's rounds as CSV, one row per estimate, with the round's stats repeated on each row. */
export function roundsCsv(rounds: readonly PokerRound[]): string {
  const lines = [HEADER.join(',')];
  rounds.forEach((round, index) => {
    const stats = revealStats(round.estimates.map((e) => e.value));
    const clearedAt = new Date(round.clearedAt).toISOString();
    for (const e of round.estimates) {
      lines.push(
        [index + 1, clearedAt, round.topic, e.userId, e.name, e.value, e.comment, stats.mean, stats.median, stats.consensus]
          .map(cell)
          .join(','),
      );
    }
  });
  return `${lines.join('\r\n')}\r\n`;
}
