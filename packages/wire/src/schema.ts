/**
 * A JSON Schema, in the subset that draft-07 (AsyncAPI 3's default schema format), draft 2020-12
 * (OpenAPI 3.1) and Ajv read alike: no `$defs`, `prefixItems` or `unevaluated*`. References
 * point into `#/components/schemas/`, where both documents keep their schemas.
 */
export type Schema = { readonly [keyword: string]: unknown };

/** The schemas of the wire by name, as both documents' `components.schemas`. */
export type SchemaSet = Readonly<Record<string, Schema>>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export const object = (
  properties: Record<string, Schema>,
  required: readonly string[] = Object.keys(properties),
  extra: Schema = {},
): Schema => ({
  type: 'object',
  properties,
  required: [...required],
  additionalProperties: false,
  ...extra,
});

export const string = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
export const integer = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra });
export const boolean = (extra: Schema = {}): Schema => ({ type: 'boolean', ...extra });
export const array = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
export const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: 'null' }] });

/** A pattern that matches exactly `names`, whatever the letters' case (JSON Schema patterns take no flags). */
export function caselessPattern(names: readonly string[]): string {
  const caseless = (name: string): string =>
    [...name].map((c) => (c.toLowerCase() === c.toUpperCase() ? c : `[${c.toUpperCase()}${c.toLowerCase()}]`)).join('');
  return `^(?:${names.map(caseless).join('|')})$`;
}

/** A regular expression's source as a JSON Schema pattern. */
export const patternOf = (regex: RegExp): string => regex.source;
