import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

export interface DevCredentials {
  secret: string;
  adminKey: string;
}

function read(file: string): Partial<DevCredentials> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { secret, adminKey } = parsed as Record<string, unknown>;
    return { secret: typeof secret === 'string' ? secret : undefined, adminKey: typeof adminKey === 'string' ? adminKey : undefined };
  } catch {
    return {}; // no file yet, or one we cannot read: new credentials are written below
  }
}

/**
 * The secret and admin key of `npm start`: BANTERBOX_SECRET / BANTERBOX_ADMIN_KEY when set, else
 * the ones kept in `file` (git-ignored, mode 0600), else new random ones, which are kept there so
 * the next run signs and accepts the same tokens and cookies.
 */
export function devCredentials(file: string, env: NodeJS.ProcessEnv): DevCredentials {
  const kept = read(file);
  const fresh: DevCredentials = {
    secret: kept.secret ?? randomBytes(36).toString('base64url'),
    adminKey: kept.adminKey ?? randomBytes(24).toString('base64url'),
  };
  if (fresh.secret !== kept.secret || fresh.adminKey !== kept.adminKey) {
    writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
  }
  return { secret: env.BANTERBOX_SECRET || fresh.secret, adminKey: env.BANTERBOX_ADMIN_KEY || fresh.adminKey };
}
