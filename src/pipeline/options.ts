/** Checking conversion options up front, before anything is downloaded. */
import { ConvertError } from '../errors.ts';
import { FORMATS } from './ffmpeg-args.ts';
import {
  AUDIO_FORMATS,
  type AudioFormat,
  type ConvertOptions,
  DEFAULT_SPONSOR_CATEGORIES,
  SPONSOR_CATEGORY_IDS,
  SPONSORBLOCK_ACTIONS,
  type SponsorBlockRequest,
  type SponsorCategory,
} from './types.ts';

/** The quality that keeps the source audio as it is when it already fits the format (else the format's default bitrate). */
export const ORIGINAL_QUALITY = 'original';
export const QUALITY_KBPS = { min: 64, max: 320 } as const;
export const VBR_PRESETS = /^V[0-9]$/;

export function isAudioFormat(value: string): value is AudioFormat {
  return (AUDIO_FORMATS as readonly string[]).includes(value);
}

/** Throws `invalid_option` with a message naming the option; returns the options unchanged. */
export function validateOptions(options: ConvertOptions): ConvertOptions {
  const { format, quality, start, end } = options;
  if (!isAudioFormat(format)) {
    throw invalid(`Unknown format "${format}": choose one of ${AUDIO_FORMATS.join(', ')}.`, 'format');
  }
  if (quality !== undefined) checkQuality(format, quality);
  if (start !== undefined && !(Number.isFinite(start) && start >= 0)) {
    throw invalid('The start time must be zero or more seconds.', 'start');
  }
  if (end !== undefined && !(Number.isFinite(end) && end > (start ?? 0))) {
    throw invalid('The end time must come after the start time.', 'end');
  }
  // ReplayGain tags say how loud the audio is; normalizing changes that loudness.
  if (options.replaygain && options.normalize) {
    throw invalid('Choose either ReplayGain tags or normalized loudness, not both.', 'replaygain');
  }
  if (options.sponsorblock) sponsorBlockOption(options.sponsorblock.action, options.sponsorblock.categories);
  return options;
}

/**
 * A SponsorBlock choice as people give it (`remove`; categories as a list or `sponsor,intro`) as
 * the pipeline takes it; undefined for `off`. Only our own names pass, so nothing a person types
 * reaches yt-dlp's argv.
 */
export function sponsorBlockOption(
  action: string | null | undefined,
  categories?: string | readonly string[] | null,
): SponsorBlockRequest | undefined {
  if (action === undefined || action === null || action === 'off') return undefined;
  if (!(SPONSORBLOCK_ACTIONS as readonly string[]).includes(action)) {
    throw invalid(`SponsorBlock takes off, ${SPONSORBLOCK_ACTIONS.join(' or ')}, not "${action}".`, 'sponsorblock');
  }
  const names = typeof categories === 'string' ? categories.split(',') : (categories ?? []);
  const given = [...new Set(names.map((c) => c.trim()).filter(Boolean))];
  const unknown = given.find((c) => !(SPONSOR_CATEGORY_IDS as readonly string[]).includes(c));
  if (unknown !== undefined) {
    throw invalid(
      `"${unknown}" is not a SponsorBlock category: choose from ${SPONSOR_CATEGORY_IDS.join(', ')}.`,
      'sponsorblock_categories',
    );
  }
  const chosen = given.length > 0 ? (given as SponsorCategory[]) : [...DEFAULT_SPONSOR_CATEGORIES];
  return { action: action as SponsorBlockRequest['action'], categories: chosen };
}

function checkQuality(format: AudioFormat, quality: string): void {
  if (FORMATS[format].bitrate === null) {
    throw invalid(`${format.toUpperCase()} is lossless: it takes no quality setting.`, 'quality');
  }
  if (VBR_PRESETS.test(quality)) {
    if (format !== 'mp3') throw invalid('VBR presets V0…V9 apply to MP3 only; use a bitrate such as 160k.', 'quality');
    return;
  }
  const kbps = /^(\d+)k$/.exec(quality)?.[1];
  if (kbps === undefined || Number(kbps) < QUALITY_KBPS.min || Number(kbps) > QUALITY_KBPS.max) {
    throw invalid(
      `Quality "${quality}" is not valid: use ${ORIGINAL_QUALITY}, a bitrate from ${QUALITY_KBPS.min}k to ${QUALITY_KBPS.max}k, or V0…V9 for MP3.`,
      'quality',
    );
  }
}

/** `field` names the option as the API does, so that a form can point at it. */
type Field = 'format' | 'quality' | 'start' | 'end' | 'replaygain' | 'sponsorblock' | 'sponsorblock_categories';

function invalid(message: string, field: Field): ConvertError {
  return new ConvertError('invalid_option', message, { field });
}

/** The trim span checked against the media's real length (known only after probing). */
export function spanWithin(options: ConvertOptions, duration: number | null): { start?: number; end?: number } {
  if (duration !== null && options.start !== undefined && options.start >= duration) {
    throw invalid(`The start time is past the end of the media (${Math.floor(duration)} s long).`, 'start');
  }
  const span: { start?: number; end?: number } = {};
  if (options.start) span.start = options.start;
  if (options.end !== undefined && (duration === null || options.end < duration)) span.end = options.end;
  return span;
}
