import { commonSchemas } from './common-schemas';
import { httpSchemas } from './http-schemas';
import { pokerSchemas } from './poker-schemas';
import type { SchemaSet } from './schema';
import { voteSchemas } from './vote-schemas';
import { webhookSchemas } from './webhook-schemas';

/** The version of the wire both documents describe. */
export const WIRE_VERSION = '1.0.0';

/** Every schema of the wire, by name: the one source both documents and the tests' validators read. */
export const wireSchemas: SchemaSet = { ...commonSchemas, ...voteSchemas, ...pokerSchemas, ...httpSchemas, ...webhookSchemas };
