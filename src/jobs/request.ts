/**
 * Turning an API request into a checked source and options, before any job exists: everything
 * that can be refused without fetching the link is refused here, with the engine's own error
 * codes: the option values, the link's syntax, whether its site is allowed, and its address.
 */
import { createHash } from 'node:crypto';
import { isEmailAddress } from '../email-address.ts';
import { ConvertError } from '../errors.ts';
import {
  DEFAULT_FORMAT,
  FLAG_NAMES,
  flagValues,
  type JobOptions,
  type OptionFields,
  sponsorBlockFields,
  toConvertOptions,
} from '../options.ts';
import { hostForbidden } from '../pipeline/address.ts';
import { type ExtractorNames, suitableExtractors } from '../pipeline/extractors.ts';
import { type ResolveAll, resolveAll, resolvesForbidden } from '../pipeline/guard.ts';
import { formatItems, parseItems } from '../pipeline/items.ts';
import { isAudioFormat, ORIGINAL_QUALITY, validateOptions } from '../pipeline/options.ts';
import { allowsOnlyYoutube, isSiteAllowed, parseSource, youtubeExtractor } from '../pipeline/sources.ts';
import type { Engine, Source } from '../pipeline/types.ts';
import { parseTimestamp } from '../units.ts';
import type { NewJob } from './types.ts';
import { checkWebhookUrl } from './webhooks.ts';

export interface CheckedRequest {
  source: { kind: 'url' | 'upload'; site: string | null; id: string | null; url: string };
  options: JobOptions;
  email: string | null;
  /** The requester's own webhook (jobs/webhooks.ts). */
  webhook_url: string | null;
  /** Equal for requests that must give the same files; null for uploads (never shared). */
  key: string | null;
}

/** What the checks ask of the outside world; tests put fakes here. */
export interface DoorChecks {
  /** The yt-dlp extractors that suit a URL, in the order yt-dlp tries them; null when it cannot tell. */
  extractors(url: string): Promise<ExtractorNames>;
  resolve: ResolveAll;
  /** A name lookup slower than this lets the link through: the guard at connect time still holds. */
  lookupTimeoutMs: number;
}

export function doorChecks(engine: Engine): DoorChecks {
  return { extractors: (url) => suitableExtractors(engine, url), resolve: sharedLookup, lookupTimeoutMs: 2000 };
}

/** How long the door reuses a name's addresses: a batch's links share one webhook, a burst one site. */
const LOOKUP_REUSE_MS = 30_000;
const lookups = new Map<string, { until: number; addresses: Promise<readonly string[]> }>();

/**
 * resolveAll, once per name at a time and then for LOOKUP_REUSE_MS: each lookup holds one of
 * libuv's four threads (the ones file reads use too) for as long as DNS takes to answer, so fifty
 * links naming one webhook, or a client repeating a name DNS never answers, must not take them all.
 */
const sharedLookup: ResolveAll = (hostname) => {
  const now = Date.now();
  const known = lookups.get(hostname);
  if (known && known.until > now) return known.addresses;
  if (lookups.size >= 1000) lookups.clear();
  const addresses = resolveAll(hostname);
  lookups.set(hostname, { until: now + LOOKUP_REUSE_MS, addresses });
  return addresses;
};

type UrlSource = Extract<Source, { kind: 'url' }>;

/**
 * The options, email and webhook of a request: what several links submitted together share. The
 * webhook's host is judged as a link's is, its name resolved: the worker's guard would refuse the
 * call anyway, but only after a job exists.
 */
export async function checkFields(
  request: OptionFields & { email?: string | null; webhook_url?: string | null },
  engine: Engine,
  checks: DoorChecks = doorChecks(engine),
): Promise<Pick<CheckedRequest, 'options' | 'email' | 'webhook_url'>> {
  const options = jobOptions(request);
  validateOptions(toConvertOptions(options));
  const email = request.email?.trim() || null;
  if (email !== null && !isEmailAddress(email)) {
    throw new ConvertError('invalid_option', `"${email}" is not an email address.`);
  }
  const webhook_url = checkWebhookUrl(request.webhook_url);
  const host = webhook_url === null ? null : new URL(webhook_url).hostname;
  if (host !== null && (await isPrivateHost(host, engine.policy, checks))) {
    throw new ConvertError(
      'forbidden_address',
      `Webhooks to ${host} are not allowed: it is a private or local address.`,
      { field: 'webhook_url' },
    );
  }
  return { options, email, webhook_url };
}

export async function checkRequest(
  request: NewJob,
  engine: Engine,
  checks: DoorChecks = doorChecks(engine),
): Promise<CheckedRequest> {
  const fields = await checkFields(request, engine, checks);
  if (request.upload) {
    return { source: { kind: 'upload', site: 'upload', id: null, url: request.upload.filename }, ...fields, key: null };
  }
  const parsed = await checkLink(request.url, engine, checks);
  const source = { kind: 'url' as const, site: parsed.site, id: parsed.id, url: parsed.canonicalUrl };
  return { source, ...fields, key: requestKey(source.url, fields.options) };
}

/** A link as the door takes it: its syntax, its site and its address checked, in its canonical form. */
export async function checkLink(
  url: string | undefined,
  engine: Engine,
  checks: DoorChecks = doorChecks(engine),
): Promise<UrlSource> {
  if (!url) throw new ConvertError('invalid_url', 'Give a link to convert, or upload a file.');
  const parsed = parseSource(url, { allowFiles: false });
  if (parsed.kind !== 'url') throw new ConvertError('invalid_url', 'Give a link to convert, or upload a file.');
  await checkSite(parsed, engine.policy.allowedSites, checks);
  await checkAddress(parsed, engine.policy, checks);
  return parsed;
}

/**
 * Whether yt-dlp would read the link with an allowed extractor. YouTube's forms are known here;
 * other links are asked of yt-dlp itself, unless only YouTube is allowed anyway.
 */
async function checkSite(source: UrlSource, allowed: Engine['policy']['allowedSites'], checks: DoorChecks) {
  if (allowed === '*') return;
  const host = new URL(source.canonicalUrl).hostname;
  if (source.site === 'youtube') {
    if (!isSiteAllowed(youtubeExtractor(source.type), allowed)) throw notAllowed(host, allowed);
    return;
  }
  if (allowsOnlyYoutube(allowed)) throw notAllowed(host, allowed);
  // Null: yt_dlp cannot be imported from the configured yt-dlp (a binary build). The worker runs
  // yt-dlp with --use-extractors, which refuses the link there, only later.
  const names = await checks.extractors(source.canonicalUrl);
  if (names !== null && !names.some((name) => isSiteAllowed(name, allowed))) throw notAllowed(host, allowed);
}

function notAllowed(host: string, allowed: readonly string[]): ConvertError {
  const sites = allowed.length > 0 ? `links from ${allowed.join(', ')} only` : 'no links at all';
  return new ConvertError('unsupported_site', `Links to ${host} are not accepted here: this server takes ${sites}.`);
}

/** An IP literal in any spelling (the URL parser normalised it), or a name that resolves to one. */
async function checkAddress(source: UrlSource, policy: Engine['policy'], checks: DoorChecks) {
  const host = new URL(source.canonicalUrl).hostname;
  // YouTube's own names are not in the hands of whoever submits a link: no lookup for them.
  if (await isPrivateHost(host, policy, checks, source.site !== 'youtube')) {
    throw new ConvertError('forbidden_address', `Links to ${host} are not allowed: it is a private or local address.`);
  }
}

/** Whether the policy forbids `host`: as a literal, or (`lookup`) as a name resolving to one. */
async function isPrivateHost(host: string, policy: Engine['policy'], checks: DoorChecks, lookup = true) {
  if (policy.allowPrivateAddresses) return false;
  const literal = hostForbidden(host, policy.isForbiddenAddress);
  if (literal !== null || !lookup) return literal === true;
  const resolved = await resolvesForbidden(host, {
    resolve: checks.resolve,
    timeoutMs: checks.lookupTimeoutMs,
    ...(policy.isForbiddenAddress && { isForbidden: policy.isForbiddenAddress }),
  });
  return resolved === true;
}

/** The request's option fields resolved: every default filled in, times in seconds. */
function jobOptions(request: OptionFields): JobOptions {
  const format = request.format ?? DEFAULT_FORMAT;
  if (!isAudioFormat(format))
    throw new ConvertError('invalid_option', `Unknown format "${format}".`, { field: 'format' });
  return {
    format,
    quality: request.quality?.trim() || ORIGINAL_QUALITY,
    // Starting at 0 is no trim: the same work (and the same files) as giving no start.
    start: seconds('start', request.start) || null,
    end: seconds('end', request.end),
    ...flagValues(request),
    items: request.items?.trim() ? formatItems(parseItems(request.items)) : null,
    ...sponsorBlockFields(request.sponsorblock, request.sponsorblock_categories),
  };
}

function seconds(name: string, value: number | string | null | undefined): number | null {
  if (value === undefined || value === null || value === '') return null;
  const parsed = typeof value === 'number' ? value : parseTimestamp(value);
  if (parsed === null || !Number.isFinite(parsed) || parsed < 0) {
    throw new ConvertError(
      'invalid_option',
      `The ${name} time "${value}" is not a time: write seconds (90), m:ss (1:30) or h:mm:ss, with minutes and seconds below 60.`,
      { field: name },
    );
  }
  return parsed;
}

/**
 * These two were in every key from the start, as values; a flag added since is in a key only when
 * on, by name, so that the keys of work done before it existed stay as they were.
 */
const KEYED_FROM_THE_START: ReadonlySet<string> = new Set(['split_chapters', 'normalize']);

/** Same canonical source and same options: the same files. */
function requestKey(url: string, options: JobOptions): string {
  const canonical = JSON.stringify([
    url,
    options.format,
    options.quality,
    options.start,
    options.end,
    ...FLAG_NAMES.flatMap((flag): (boolean | string)[] =>
      KEYED_FROM_THE_START.has(flag) ? [options[flag]] : options[flag] ? [flag] : [],
    ),
    // Only when asked: the keys of work done before they existed stay as they were.
    ...(options.items ? [{ items: options.items }] : []),
    ...(options.sponsorblock !== 'off'
      ? [{ sponsorblock: options.sponsorblock, categories: [...options.sponsorblock_categories].sort() }]
      : []),
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}
