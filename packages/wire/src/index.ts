export type { Schema, SchemaSet } from './schema';
export { WIRE_VERSION, wireSchemas } from './schemas';
export { POKER_EVENTS, pokerRequestSchemaName } from './poker-schemas';
export { WEBHOOK_EVENTS } from './webhook-schemas';
export { asyncApiDocument } from './asyncapi';
export { openApiDocument } from './openapi';
