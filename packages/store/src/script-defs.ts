/**
 * Every Lua script with its named arguments and its typed reply, one file per domain (see each
 * script's header in ../lua for what it keeps and replies). Keys are built there from keys.ts and
 * always reach a script through KEYS; op letters exist only there (script-ops.ts), at the script
 * boundary.
 */

export * from './script-ops';
export * from './vote-scripts';
export * from './registry-scripts';
export * from './poker-scripts';
export * from './user-scripts';
export * from './webhook-scripts';
