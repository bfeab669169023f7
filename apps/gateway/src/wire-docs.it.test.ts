import { Parser } from '@asyncapi/parser';
import { CLOSE_CODES, VOTE_ERROR_CODES } from '@banterbox/protocol';
import { TestRedis, startGatewayProcess, type GatewayProcess } from '@banterbox/testkit';
import { asyncApiDocument, openApiDocument } from '@banterbox/wire';

/**
 * The wire described, as a gateway process (env only) serves it to clients in any language
 * (SPEC §8): the AsyncAPI and OpenAPI documents and the code registry. Every response here is
 * also checked against the OpenAPI document by the suites' wire check, like all traffic.
 */
describe('the documents of the wire, served by a gateway process', () => {
  let redis: TestRedis;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateway = await startGatewayProcess(redis);
  });
  afterAll(async () => {
    await gateway.proc.kill();
    await redis.stop();
  });

  const get = async (path: string): Promise<{ response: Response; body: unknown }> => {
    const response = await fetch(`${gateway.http}${path}`);
    return { response, body: await response.json() };
  };

  it('serves the AsyncAPI 3 document of both socket endpoints, and it parses without diagnostics', async () => {
    const { response, body } = await get('/api/asyncapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(body).toEqual(JSON.parse(JSON.stringify(asyncApiDocument())));
    const { document, diagnostics } = await new Parser().parse(body as never);
    expect(diagnostics).toEqual([]);
    expect(
      document
        ?.channels()
        .all()
        .map((channel) => channel.address()),
    ).toEqual(['/api/vote_ws/', '/connect']);
  });

  it('serves the OpenAPI 3.1 document of the HTTP API and the webhooks', async () => {
    const { response, body } = await get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    expect(body).toMatchObject({ openapi: '3.1.0', paths: { '/api/rooms/{room}/series': { get: {} } }, webhooks: { 'room.created': {} } });
  });

  it('serves the registry of close and error codes the clients act on', async () => {
    const { response, body } = await get('/api/codes');
    expect(response.status).toBe(200);
    expect(body).toEqual({ close: CLOSE_CODES, vote_errors: VOTE_ERROR_CODES });
    expect((body as { close: { code: number; action: string }[] }).close.find((entry) => entry.code === 4001)?.action).toBe('new_token');
  });
});
