/** User and room ids: 1 to 64 characters of [A-Za-z0-9_-] (SPEC §4). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
