/**
 * Turning an API request into a checked source and options, before any job exists: everything
 * that can be refused without the network is refused here, with the engine's own error codes.
 */
import { createHash } from 'node:crypto';
import { ConvertError } from '../errors.ts';
import { hostForbidden } from '../pipeline/address.ts';
import { isAudioFormat, validateOptions } from '../pipeline/options.ts';
import { isSiteAllowed, parseSource } from '../pipeline/sources.ts';
import type { ConvertOptions, Engine } from '../pipeline/types.ts';
import { parseTimestamp } from '../units.ts';
import type { JobOptions, NewJob } from './types.ts';

export interface CheckedRequest {
  source: { kind: 'url' | 'upload'; site: string | null; id: string | null; url: string };
  options: JobOptions;
  email: string | null;
  /** Equal for requests that must give the same files; null for uploads (never shared). */
  key: string | null;
}

export function checkRequest(request: NewJob, engine: Engine): CheckedRequest {
  const options = jobOptions(request);
  validateOptions(toConvertOptions(options));
  const email = request.email?.trim() || null;
  if (email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new ConvertError('invalid_option', `"${email}" is not an email address.`);
  }
  if (request.upload) {
    return {
      source: { kind: 'upload', site: 'upload', id: null, url: request.upload.filename },
      options,
      email,
      key: null,
    };
  }
  if (!request.url) throw new ConvertError('invalid_url', 'Give a link to convert, or upload a file.');
  const parsed = parseSource(request.url, { allowFiles: false });
  if (parsed.kind !== 'url') throw new ConvertError('invalid_url', 'Give a link to convert, or upload a file.');
  checkPolicy(parsed.canonicalUrl, parsed.site, engine);
  const source = { kind: 'url' as const, site: parsed.site, id: parsed.id, url: parsed.canonicalUrl };
  return { source, options, email, key: requestKey(source.url, options) };
}

/** What can be judged from the URL alone: a known site that is not allowed, a literal private address. */
function checkPolicy(url: string, site: string | null, engine: Engine): void {
  if (site !== null && !isSiteAllowed(site, engine.policy.allowedSites)) {
    throw new ConvertError('unsupported_site', `Links from "${site}" are not allowed on this server.`);
  }
  const host = new URL(url).hostname;
  if (!engine.policy.allowPrivateAddresses && hostForbidden(host, engine.policy.isForbiddenAddress) === true) {
    throw new ConvertError('forbidden_address', 'Links to private or local addresses are not allowed.');
  }
}

function jobOptions(request: NewJob): JobOptions {
  const format = request.format ?? 'mp3';
  if (!isAudioFormat(format)) throw new ConvertError('invalid_option', `Unknown format "${format}".`);
  return {
    format,
    quality: request.quality?.trim() || null,
    start: seconds('start', request.start),
    end: seconds('end', request.end),
    split_chapters: request.split_chapters ?? false,
    normalize: request.normalize ?? false,
  };
}

function seconds(name: string, value: number | string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const parsed = typeof value === 'number' ? value : parseTimestamp(value);
  if (parsed === null || !Number.isFinite(parsed) || parsed < 0) {
    throw new ConvertError('invalid_option', `"${name}" takes seconds or h:mm:ss, not "${value}".`);
  }
  return parsed;
}

export function toConvertOptions(o: JobOptions): ConvertOptions {
  const options: ConvertOptions = { format: o.format, splitChapters: o.split_chapters, normalize: o.normalize };
  if (o.quality !== null) options.quality = o.quality;
  if (o.start !== null) options.start = o.start;
  if (o.end !== null) options.end = o.end;
  return options;
}

/** Same canonical source and same options: the same files. */
function requestKey(url: string, options: JobOptions): string {
  const canonical = JSON.stringify([
    url,
    options.format,
    options.quality,
    options.start,
    options.end,
    options.split_chapters,
    options.normalize,
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}
