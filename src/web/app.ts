/**
 * The web app as a plugin tree that never listens (the entry point does), so tests drive it with
 * `app.inject()`. It only speaks HTTP: every decision about jobs is the JobsApi's.
 */
import { mkdir } from 'node:fs/promises';
import multipart from '@fastify/multipart';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Rate } from '../config.ts';
import type { JobsApi } from '../jobs/types.ts';
import { type AccessDeps, guardRoutes, siteSignInRoutes } from './access.ts';
import { type AdminDeps, adminRoutes } from './admin/index.ts';
import { registerApiDocs } from './api-docs.ts';
import { clientErrorHandler, errorHandler, frameworkErrors, notFoundHandler } from './errors.ts';
import { type RateLimitStore, registerRateLimits } from './rate-limit.ts';
import { eventRoutes } from './routes/events.ts';
import { fileRoutes } from './routes/files.ts';
import { type HealthRoutesOptions, healthRoutes } from './routes/health.ts';
import { inspectRoutes } from './routes/inspect.ts';
import { jobRoutes } from './routes/jobs.ts';
import { type OptionRoutesOptions, optionRoutes } from './routes/options.ts';
import { pageRoutes } from './routes/pages.ts';
import { SHARED_SCHEMAS } from './schemas.ts';
import { registerSecurityHeaders } from './security.ts';

export interface AppDeps {
  jobs: JobsApi;
  /** Largest accepted upload, in bytes. */
  maxUploadBytes: number;
  /** Where uploads are written before `jobs.create` takes them over. */
  uploadDir: string;
  /** New jobs one client may submit per window; absent or null for no limit. */
  submitRate?: Rate | null;
  /** Looks at a link (GET /api/inspect) one client may ask for per window; absent or null for no limit. */
  inspectRate?: Rate | null;
  /** The workers' media limits, told to clients with the formats (GET /api/options). */
  mediaLimits?: OptionRoutesOptions['mediaLimits'];
  /** Where rate limits count, shared by every web process; absent: in this process's memory. */
  rateLimitStore?: RateLimitStore;
  /** Whose X-Forwarded-For to believe about the client's address (Fastify's `trustProxy`). */
  trustProxy?: boolean | readonly string[];
  /** Liveness of web, Redis and the database for GET /api/health; without it there is no such route. */
  health?: HealthRoutesOptions['health'];
  /** Who may use the page and the API (YTCONV_ACCESS); absent: everyone, as with `open`. */
  access?: AccessDeps;
  /** The admin area under /admin; without it there is none. */
  admin?: AdminDeps;
  /** Where requests and failures are logged; none when absent (tests). */
  logger?: FastifyBaseLogger;
}

/**
 * One line per request, when it is answered, instead of Fastify's two (logging was a sixth of a
 * submission's cost); a new job's id is in its Location, so the line of its creation names it.
 */
class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const location = reply.getHeader('location');
    const line = {
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      ...(location && { location }),
      ...(error && { err: error }),
    };
    if (error && clientWentAway(error)) request.log.info({ ...line, err: undefined }, 'request aborted by the client');
    else if (error) request.log.error(line, 'request failed');
    else request.log.info(line, 'request');
  }
}

/** The client closed the connection mid-request (a cancelled upload): no fault of ours to log as one. */
function clientWentAway(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || error.message === 'aborted';
}

/** JSON bodies are a handful of short fields; uploads go through multipart with their own cap. */
const JSON_BODY_LIMIT = 16 * 1024;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  await mkdir(deps.uploadDir, { recursive: true });
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    logController: new RequestLog(),
    frameworkErrors,
    clientErrorHandler,
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: trustProxyOption(deps.trustProxy),
    // HEAD is declared where it is cheap; an automatic one would build a ZIP or open an event stream.
    exposeHeadRoutes: false,
    // Unknown fields are refused rather than silently dropped, so a typo ("split_chapter") is noticed;
    // and values are taken as sent: `true` is not a time and an array is not a URL.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allowUnionTypes: true } },
  });
  // The API takes JSON or multipart forms only; Fastify would otherwise hand text bodies to handlers.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  registerSecurityHeaders(app);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await registerApiDocs(app);
  await app.register(multipart);
  await registerRateLimits(app, deps.rateLimitStore);
  const { access } = deps;
  await app.register(async (jobsScope) => {
    if (access && access.mode !== 'open') guardRoutes(jobsScope, access);
    await jobsScope.register(jobRoutes, deps);
    await jobsScope.register(eventRoutes, deps);
    await jobsScope.register(fileRoutes, deps);
    await jobsScope.register(inspectRoutes, deps);
  });
  await app.register(optionRoutes, deps);
  await app.register(pageRoutes);
  if (access && access.mode !== 'open') await app.register(siteSignInRoutes, access);
  if (deps.health) await app.register(healthRoutes, { health: deps.health });
  const { admin } = deps;
  if (admin) await app.register((scope) => adminRoutes(scope, admin), { prefix: '/admin' });
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  return app;
}

function trustProxyOption(trust: AppDeps['trustProxy']): boolean | string[] {
  return typeof trust === 'object' ? [...trust] : (trust ?? false);
}
