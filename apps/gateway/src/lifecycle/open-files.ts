import { readFileSync } from 'node:fs';

/** The process's open-file limit (soft, hard), or undefined where /proc does not say (not Linux). */
export function openFilesLimit(limitsFile = '/proc/self/limits'): { soft: number; hard: number } | undefined {
  let text: string;
  try {
    text = readFileSync(limitsFile, 'utf8');
  } catch {
    return undefined;
  }
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!match) return undefined;
  const value = (v: string): number => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
  return { soft: value(match[1]!), hard: value(match[2]!) };
}
