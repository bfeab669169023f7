export * from './ids';
export * from './errors';
export * from './close-codes';
export * from './vote-messages';
export * from './room-options';
