/** Whether `value` is a plain JSON object (not null, not an array): the first check of every decoder. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` is a list of strings (options, segments, a deck). */
export function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Parses a JSON frame, throwing `refusal()` (the decoder's own error) if it is not JSON. */
export function parseJson(text: string, refusal: () => Error): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw refusal();
  }
}
