import { execFileSync } from 'node:child_process';
import { Parser } from '@asyncapi/parser';
import { CLOSE_CODES, VOTE_ERROR_CODES } from '@banterbox/protocol';
import { WireCheck } from '@banterbox/testkit';
import { asyncApiDocument, openApiDocument, wireSchemas, WEBHOOK_EVENTS } from './index';

/** The documents are valid of their kind, and the testkit's checker catches traffic that breaks them. */
describe('the wire documents', () => {
  const check = new WireCheck();

  it('compiles every schema with Ajv in strict mode', () => {
    for (const name of Object.keys(wireSchemas)) expect(() => check.validate(name, {})).not.toThrow();
    expect(Object.keys(wireSchemas).length).toBeGreaterThan(50);
  });

  it('is a valid AsyncAPI 3 document, with no diagnostics at all from @asyncapi/parser', async () => {
    const diagnostics = await new Parser().validate(asyncApiDocument() as never);
    expect(diagnostics.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`)).toEqual([]);
    const { document } = await new Parser().parse(asyncApiDocument() as never);
    expect(
      document
        ?.channels()
        .all()
        .map((c) => c.address()),
    ).toEqual(['/api/vote_ws/', '/connect']);
    // Vote: 3 received, 5 sent; poker: 11 requests, 12 events.
    expect(document?.messages().all().length).toBe(8 + 11 + 12);
  });

  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', () => {
    // The validator is an ES module that reads import.meta, which jest's CommonJS runtime cannot load: it runs in node.
    const script = `import { Validator } from '@seriousme/openapi-schema-validator';
      const text = await new Promise((resolve) => { let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => resolve(s)); });
      process.stdout.write(JSON.stringify(await new Validator().validate(JSON.parse(text))));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      input: JSON.stringify(openApiDocument()),
      cwd: __dirname,
    });
    expect(JSON.parse(output.toString())).toEqual({ valid: true });
  });

  it('is refused by that validator when it is broken, so the check above can fail', () => {
    const broken = { ...openApiDocument(), paths: { '/x': { get: { responses: { 200: { content: 'none' } } } } } };
    const script = `import { Validator } from '@seriousme/openapi-schema-validator';
      process.stdout.write(JSON.stringify(await new Validator().validate(${JSON.stringify(broken)})));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: __dirname });
    expect(JSON.parse(output.toString())).toMatchObject({ valid: false });
  });

  it('gives every AsyncAPI message an example its schema accepts', () => {
    const messages = (
      asyncApiDocument().components as { messages: Record<string, { payload: { $ref: string }; examples: { payload: unknown }[] }> }
    ).messages;
    for (const [name, message] of Object.entries(messages)) {
      const schema = message.payload.$ref.split('/').pop()!;
      expect({ name, errors: message.examples.flatMap((example) => check.validate(schema, example.payload)) }).toEqual({
        name,
        errors: [],
      });
    }
  });

  it('describes every webhook event and every error code the code registry lists', () => {
    const document = openApiDocument() as { webhooks: Record<string, unknown> };
    expect(Object.keys(document.webhooks)).toEqual(Object.keys(WEBHOOK_EVENTS));
    expect(
      (wireSchemas.VoteError!.properties as { error: { properties: { code: { enum: string[] } } } }).error.properties.code.enum,
    ).toEqual(VOTE_ERROR_CODES.map((entry) => entry.code));
    expect(check.validate('CodeRegistry', { close: CLOSE_CODES, vote_errors: VOTE_ERROR_CODES })).toEqual([]);
  });

  describe('the checker the integration suites run on all traffic', () => {
    it('passes a frame that follows the schema and names what is wrong with one that does not', () => {
      expect(check.frame('/api/vote_ws/', '{"data":[{"ts":1,"votes":{"yes":1,"no":0},"connected":1}]}')).toEqual([]);
      expect(check.frame('/api/vote_ws/', '{"data":[{"ts":1,"votes":{"yes":-1},"connected":1}]}')).toEqual([
        expect.stringContaining('/votes/yes'),
      ]);
      expect(check.frame('/api/vote_ws/', '{"data":[{"ts":1,"votes":{},"connected":1,"extra":true}]}')).toHaveLength(1);
      expect(check.frame('/connect', '{"event":"roomCleared","roomId":"r1"}')).toEqual([]);
      expect(check.frame('/connect', '{"event":"roomCleared"}')).toHaveLength(1);
      expect(check.frame('/connect', '{"event":"dance"}')).toHaveLength(1);
      expect(check.frame('/connect', 'nope')).toHaveLength(1);
      expect(check.frame('/elsewhere', '{"anything":1}')).toEqual([]);
    });

    it('checks an HTTP response against its operation, status, content type and body schema', () => {
      const url = (path: string): URL => new URL(`http://127.0.0.1:1${path}`);
      const json = 'application/json';
      expect(check.http('GET', url('/api/demo'), 200, json, '{"room":"lobby"}')).toEqual([]);
      expect(check.http('GET', url('/api/demo'), 200, json, '{"room":"a b"}')).toEqual([expect.stringContaining('/room')]);
      expect(check.http('GET', url('/api/demo'), 201, json, '{"room":"lobby"}')).toEqual([
        expect.stringContaining('status not documented'),
      ]);
      expect(check.http('GET', url('/api/demo'), 200, 'text/plain', 'lobby')).toEqual([expect.stringContaining('content type')]);
      expect(check.http('GET', url('/api/rooms/r1/series'), 200, 'text/csv; charset=utf-8', 'ts\n')).toEqual([]);
      expect(check.http('POST', url('/api/rooms'), 503, 'text/plain', 'draining')).toEqual([]);
      expect(check.http('GET', url('/api/nothing'), 404, json, '{"error":"not found"}')).toEqual([]);
      expect(check.http('GET', url('/api/nothing'), 200, json, '{}')).toEqual([expect.stringContaining('not documented')]);
      expect(check.http('DELETE', url('/api/rooms'), 404, json, '{"error":"not found"}')).toEqual([]);
    });
  });
});
