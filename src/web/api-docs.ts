/**
 * The API's description: the OpenAPI document made from the routes' schemas (@fastify/swagger),
 * at /api/openapi.json, and a page to read and try it (@fastify/swagger-ui) at /api/docs, whose
 * scripts, styles and images all come from this app.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from './admin/session.ts';

const API_DOCS_PATH = '/api/docs';

/** How a private instance's callers prove who they are (YTCONV_ACCESS); routes name them in `security`. */
export const API_KEY_SCHEME = 'apiKey';
export const SESSION_SCHEME = 'session';

/** Before the routes: the document is collected from the routes registered after it. */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ytconv',
        version: '1',
        description: 'Convert video links and uploaded media into tagged audio files.',
      },
      components: {
        securitySchemes: {
          [API_KEY_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key made with `ytconv apikey create` or in the admin area (YTCONV_ACCESS=apikey).',
          },
          [SESSION_SCHEME]: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'The session of a person signed in at /login (YTCONV_ACCESS=login or apikey).',
          },
        },
      },
    },
    // Our HEAD routes are real operations (a file's headers without its bytes).
    exposeHeadRoutes: true,
    transform: ({ schema, url }) => ({ schema: camelHeadId(schema), url }),
    // Name components after their `$id` (JobView) instead of def-0, def-1…
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: API_DOCS_PATH,
    theme: { title: 'ytconv API' },
    // BaseLayout: no top bar, whose Swagger logo carries an inline <style> the page's CSP refuses
    // (and whose box for loading another document has no use here).
    uiConfig: { layout: 'BaseLayout', displayOperationId: true },
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/** @fastify/swagger names a HEAD operation `<id>-head`; ours stay camelCase: `<id>Head`. */
function camelHeadId<T extends { operationId?: string } | undefined>(schema: T): T {
  const id = schema?.operationId;
  return id?.endsWith('-head') ? { ...schema, operationId: `${id.slice(0, -'-head'.length)}Head` } : schema;
}
