export * from './ids';
export * from './errors';
export * from './close-codes';
export * from './vote-messages';
export * from './room-options';
export * from './poker-limits';
export * from './poker-requests';
export * from './poker-events';
