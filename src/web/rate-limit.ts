/**
 * Limits on what one client can make the server do: new jobs per window (per address, or per API
 * key), looks at links per address, and failed sign-ins per address and per username. The counts
 * live in Redis when the app is given a client, so that several web processes share them, else in
 * this process's memory. A limit is a safeguard, not a dependency: when Redis fails, requests go
 * through rather than failing with it.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Rate } from '../config.ts';
import { ConvertError } from '../errors.ts';

export interface RateLimitStore {
  client: Redis;
  /** Prefix of the counters' keys, so that installations sharing a Redis count apart. */
  keyPrefix: string;
}

export async function registerRateLimits(app: FastifyInstance, store: RateLimitStore | undefined): Promise<void> {
  await app.register(rateLimit, {
    // Only the routes that ask for a limit get one.
    global: false,
    // RateLimit-Limit/-Remaining/-Reset and Retry-After, as the IETF draft names them.
    enableDraftSpec: true,
    skipOnError: true,
    ...(store && { redis: store.client, nameSpace: `${store.keyPrefix}:rate-limit:` }),
  });
}

/**
 * The limit on new jobs: per client address, or, for a request made with an API key, that key's
 * own limit instead (YTCONV_ACCESS=apikey). Only jobs actually made count: a request refused for
 * its input (a typo, a private link) uses up nothing, and is told what is wrong rather than to wait.
 * `check` refuses a client already over the limit before its upload is read; `take` counts one job
 * and refuses, atomically, the one that goes over (so a burst cannot slip past between the two).
 */
export interface SubmissionLimit {
  check(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  take(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/** The key a request came with, as far as its limit goes; null for none. */
export type KeyOf = (request: FastifyRequest) => { id: string; rate: Rate | null } | null;

export function submissionLimit(app: FastifyInstance, addressRate: Rate | null, keyOf: KeyOf): SubmissionLimit {
  const byAddress =
    addressRate && app.createRateLimit({ max: addressRate.max, timeWindow: addressRate.windowSec * 1000 });
  // One limiter for every key, each counted under its own id with its own rate.
  const rateOf = (request: FastifyRequest) => keyOf(request)?.rate ?? { max: 0, windowSec: 0 };
  const byKey = app.createRateLimit({
    keyGenerator: (request) => `api-key:${keyOf(request)?.id}`,
    max: (request) => rateOf(request).max,
    timeWindow: (request) => rateOf(request).windowSec * 1000,
  });
  const apply = async (request: FastifyRequest, reply: FastifyReply, increment: boolean) => {
    const key = keyOf(request);
    const rate = key ? key.rate : addressRate;
    const limiter = key ? byKey : byAddress;
    if (rate === null || limiter === null) return;
    const state = await limiter(request, { increment });
    // Counting this job went over the limit; or, only looking, none is left.
    const over = !state.isAllowed && (increment ? state.isExceeded : state.remaining === 0);
    if (!over) return;
    const after = state.ttlInSeconds;
    reply.headers({
      'ratelimit-limit': String(rate.max),
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(after),
      'retry-after': String(after),
    });
    throw tooManyRequests(`new jobs ${key ? 'with this API key' : 'from your address'}`, rate, after);
  };
  return {
    check: (request, reply) => apply(request, reply, false),
    take: (request, reply) => apply(request, reply, true),
  };
}

/**
 * A route's own limit per client address, as its `config.rateLimit` (the plugin counts every
 * request and sets the 429's headers); null for none. `what` names the requests in the refusal.
 */
export function addressLimit(rate: Rate | null, what: string) {
  return (
    rate && {
      max: rate.max,
      timeWindow: rate.windowSec * 1000,
      errorResponseBuilder: (_request: FastifyRequest, context: { ttl: number }) =>
        tooManyRequests(what, rate, Math.ceil(context.ttl / 1000)),
    }
  );
}

function tooManyRequests(what: string, rate: Rate, afterSec: number): ConvertError {
  return new ConvertError(
    'too_many_requests',
    `Too many ${what}: this server takes ${rate.max} per ${per(rate.windowSec)}. Try again in ${afterSec === 1 ? '1 second' : `${afterSec} seconds`}.`,
  );
}

function per(seconds: number): string {
  if (seconds === 60) return 'minute';
  if (seconds === 3600) return 'hour';
  return `${seconds} seconds`;
}

export interface Throttle {
  /** Seconds until `request` may try again; 0 when it may now. Counts nothing. */
  waitSec(request: FastifyRequest): Promise<number>;
  /** Count one failure against each of the throttle's keys. */
  failed(request: FastifyRequest): Promise<void>;
}

/**
 * Failures counted under several keys of a request at once (an address, a username): one key over
 * its limit stops the request, so neither many names from one address nor one name from many
 * addresses gets far. Only failures count, so people who get it right are never held up.
 */
export function failureThrottle(
  app: FastifyInstance,
  limits: readonly { max: number; windowSec: number; key: (request: FastifyRequest) => string }[],
): Throttle {
  const limiters = limits.map(({ max, windowSec, key }) =>
    app.createRateLimit({ max, timeWindow: windowSec * 1000, keyGenerator: key }),
  );
  return {
    async waitSec(request) {
      const states = await Promise.all(limiters.map((limiter) => limiter(request, { increment: false })));
      const waits = states.map((state) => (!state.isAllowed && state.remaining === 0 ? state.ttlInSeconds : 0));
      return Math.max(0, ...waits);
    },
    async failed(request) {
      await Promise.all(limiters.map((limiter) => limiter(request)));
    },
  };
}
