import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { WEBHOOK_EVENTS, openApiDocument, wireSchemas } from '@banterbox/wire';

const WIRE_ID = 'banterbox-wire';

interface DocumentedResponse {
  $ref?: string;
  content?: Record<string, { schema?: { $ref?: string } }>;
}

interface Documented {
  method: string;
  path: RegExp;
  template: string;
  responses: Record<string, DocumentedResponse>;
}

/** Which schema the frames a client receives on a socket endpoint follow. */
const SOCKET_FRAMES: Readonly<Record<string, string>> = { '/api/vote_ws/': 'VoteServerFrame', '/connect': 'PokerEvent' };

/**
 * Checks real traffic against the wire's schemas (`@banterbox/wire`) with Ajv: frames received on
 * the two socket endpoints, and gateway HTTP responses against the OpenAPI document's operation,
 * status and content type. Each check returns what is wrong, empty when nothing is.
 */
export class WireCheck {
  private readonly ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly operations: Documented[];
  private readonly sharedResponses: Record<string, DocumentedResponse>;

  constructor() {
    addFormats(this.ajv);
    // The schemas live where both documents keep them, under components.schemas of one root.
    this.ajv.addKeyword('components');
    this.ajv.addSchema({ $id: WIRE_ID, components: { schemas: wireSchemas } });
    const document = openApiDocument() as {
      paths: Record<string, Record<string, { responses: Record<string, DocumentedResponse> }>>;
      components: { responses: Record<string, DocumentedResponse> };
    };
    this.sharedResponses = document.components.responses;
    const paths = document.paths;
    this.operations = Object.entries(paths).flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        template,
        path: new RegExp(`^${template.replace(/\./g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
        responses: op.responses,
      })),
    );
  }

  /** Errors of `value` against the wire schema `name`. */
  validate(name: string, value: unknown): string[] {
    let validator = this.validators.get(name);
    if (!validator) {
      validator = this.ajv.getSchema(`${WIRE_ID}#/components/schemas/${name}`);
      if (!validator) throw new Error(`no wire schema ${name}`);
      this.validators.set(name, validator);
    }
    if (validator(value)) return [];
    return (validator.errors ?? []).map((e) => `${name}${e.instancePath} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`);
  }

  /** Errors of a text frame received on socket `path`; none for endpoints the wire does not describe. */
  frame(path: string, text: string): string[] {
    const schema = SOCKET_FRAMES[path];
    if (schema === undefined) return [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return [`${path}: a frame that is not JSON: ${text.slice(0, 100)}`];
    }
    const errors = this.validate(schema, value);
    return errors.length === 0 ? [] : [`${path} frame ${text.slice(0, 300)}: ${errors.slice(0, 6).join('; ')}`];
  }

  /**
   * Errors of an HTTP response of a gateway: the operation, status and content type must be
   * documented and a JSON body must follow its schema; what the gateway does not serve must be
   * its JSON 404 (or 503 while draining).
   */
  http(method: string, url: URL, status: number, contentType: string, body: string): string[] {
    const what = `${method} ${url.pathname} → ${status}`;
    const op = this.operations.find((o) => o.method === method && o.path.test(url.pathname));
    if (!op) {
      if (status === 503) return [];
      return status === 404 ? this.json(what, 'ErrorBody', body) : [`${what}: not documented`];
    }
    const documented = op.responses[String(status)];
    if (!documented) return [`${what}: status not documented for ${method} ${op.template}`];
    const answer = documented.$ref === undefined ? documented : this.sharedResponses[documented.$ref.split('/').pop()!]!;
    const declared = answer.content ?? {};
    const type = contentType.split(';')[0]!.trim();
    const media = declared[type] ?? declared['*/*'];
    if (!media) return [`${what}: content type ${type || '(none)'} not documented (${Object.keys(declared).join(', ') || 'no body'})`];
    const schemaRef = media.schema?.$ref;
    if (type !== 'application/json' || schemaRef === undefined) return [];
    return this.json(what, schemaRef.split('/').pop()!, body);
  }

  /** Errors of a webhook delivery's body against its event type's schema (the OpenAPI document's `webhooks`). */
  webhook(body: string): string[] {
    let event: { type?: unknown };
    try {
      event = JSON.parse(body) as { type?: unknown };
    } catch {
      return [`webhook body is not JSON: ${body.slice(0, 100)}`];
    }
    const schema = WEBHOOK_EVENTS[event.type as keyof typeof WEBHOOK_EVENTS];
    if (schema === undefined) return [`webhook of an undocumented type ${JSON.stringify(event.type)}`];
    const errors = this.validate(schema, event);
    return errors.length === 0 ? [] : [`webhook ${body.slice(0, 300)}: ${errors.slice(0, 6).join('; ')}`];
  }

  private json(what: string, schema: string, body: string): string[] {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return [`${what}: body is not JSON: ${body.slice(0, 100)}`];
    }
    const errors = this.validate(schema, value);
    return errors.length === 0 ? [] : [`${what}: ${errors.slice(0, 6).join('; ')}`];
  }
}

let shared: WireCheck | undefined;
const violations: string[] = [];
const pending = new Set<Promise<void>>();

/** The process's one WireCheck (the schemas compile once). */
export function wireCheck(): WireCheck {
  shared ??= new WireCheck();
  return shared;
}

/** Records what is wrong with traffic the tests saw; `takeWireViolations` hands it to the test. */
export function recordWireViolations(found: readonly string[]): void {
  violations.push(...found);
}

/** Everything recorded since the last call, once the responses being read are checked. */
export async function takeWireViolations(): Promise<string[]> {
  await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  return violations.splice(0);
}

/**
 * Wraps the global fetch so that every gateway response a test reads is checked against the
 * OpenAPI document (on a copy of the body, read alongside the test's). Idempotent.
 */
export function checkFetchedResponses(): void {
  const original = globalThis.fetch as typeof fetch & { wireChecked?: true };
  if (original.wireChecked) return;
  const checked = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
    const response = await original(input, init);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (method === 'HEAD' || method === 'OPTIONS' || response.type === 'opaqueredirect') return response;
    // Only the gateway's responses: its HTTP server (uWebSockets.js) marks every one.
    if (!response.headers.has('uwebsockets')) return response;
    const url = new URL(response.url || (input instanceof Request ? input.url : String(input)));
    const copy = response.clone();
    const check = copy
      .text()
      .then((body) =>
        recordWireViolations(wireCheck().http(method, url, response.status, response.headers.get('content-type') ?? '', body)),
      )
      .catch(() => undefined)
      .finally(() => pending.delete(check));
    pending.add(check);
    return response;
  };
  globalThis.fetch = Object.assign(checked, { wireChecked: true as const });
}
