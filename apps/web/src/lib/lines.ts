/**
 * Which worm lines to draw in a room with segments (SPEC §9): the total and some segments. As the
 * overlay's `lines=` (and the room page's `#lines=`): `total`, `segments` for every segment, or
 * segment names, comma-separated; the total alone when nothing known is named.
 */
export function chosenLines(value: string | null, segments: readonly string[]): { total: boolean; segments: string[] } {
  const names = (value ?? 'total').split(',').map((name) => name.trim());
  const picked = segments.filter((segment) => names.includes('segments') || names.includes(segment));
  return { total: names.includes('total') || picked.length === 0, segments: picked };
}

/** The `lines=` value that draws the total (if `total`) and `segments`: what chosenLines reads back. */
export function linesParam(total: boolean, segments: readonly string[], all: readonly string[]): string {
  if (!total && segments.length === all.length && all.length > 0) return 'segments';
  return [...(total ? ['total'] : []), ...segments].join(',') || 'total';
}
