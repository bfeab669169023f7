/**
 * The secrets a deployment signs and verifies with: the current BANTERBOX_SECRET signs every new
 * token and cookie; BANTERBOX_SECRET_PREVIOUS, while set, is still accepted, so a rotation never
 * logs anyone out (docs/operations.md, "Rotating BANTERBOX_SECRET").
 */
export interface Secrets {
  readonly current: string;
  readonly previous?: string | undefined;
}

/** A lone string means one secret and nothing older. */
export type SecretsLike = string | Secrets;

/** The secrets to verify with, newest first. */
export function verifyingSecrets(secrets: SecretsLike): string[] {
  if (typeof secrets === 'string') return [secrets];
  return secrets.previous === undefined ? [secrets.current] : [secrets.current, secrets.previous];
}

/** The secret that signs. */
export function signingSecret(secrets: SecretsLike): string {
  return typeof secrets === 'string' ? secrets : secrets.current;
}
