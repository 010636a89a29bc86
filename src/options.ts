/**
 * A job's options, defined once. The request fields a client may send, the stored options a job
 * echoes, the JSON schemas the API validates with (and documents), and the catalog the page
 * builds its form from (formats, qualities, defaults) all come from here; the pipeline's own
 * ConvertOptions is reached through one mapping, `toConvertOptions`.
 */
import { z } from 'zod';
import { accessSchema } from './access.ts';
import { ERROR_CODES } from './errors.ts';
import { FORMATS } from './pipeline/ffmpeg-args.ts';
import { parseItems } from './pipeline/items.ts';
import { ORIGINAL_QUALITY, QUALITY_KBPS, sponsorBlockOption, VBR_PRESETS } from './pipeline/options.ts';
import {
  AUDIO_FORMATS,
  type AudioFormat,
  type ConvertOptions,
  DEFAULT_SPONSOR_CATEGORIES,
  SPONSOR_CATEGORY_IDS,
  SPONSORBLOCK_ACTIONS,
  SPONSORBLOCK_CATEGORIES,
} from './pipeline/types.ts';

/**
 * The on/off options, defined once: the API's fields and stored options, the CLI's `--flags` and
 * help, and the page's checkboxes (through the catalog) all come from here. `excludes`: the flags
 * that cannot be on together with this one (the page unchecks them; the pipeline refuses both).
 */
export const FLAGS = {
  split_chapters: {
    description: 'One file per chapter, named `NN - Chapter (Video)`; the video is their album.',
    cli: 'one file per chapter',
    label: 'Split by chapters',
    hint: 'One file per chapter, when the video has them.',
    summary: 'Split by chapters',
    excludes: [],
  },
  normalize: {
    description: 'Loudness to -14 LUFS (EBU R128).',
    cli: 'loudness to -14 LUFS (EBU R128)',
    label: 'Normalize loudness (−14 LUFS)',
    hint: 'Evens out quiet and loud sources.',
    summary: 'Normalized',
    excludes: ['replaygain'],
  },
  replaygain: {
    description:
      'ReplayGain tags (Opus: R128) measured on each file, whose audio stays as it is: track gain, and album gain for a playlist or a chapter split. Not with `normalize`.',
    cli: 'ReplayGain tags (Opus: R128) instead: the audio stays as it is',
    label: 'ReplayGain tags',
    hint: 'Players even out the loudness; the audio stays as it is.',
    summary: 'ReplayGain',
    excludes: ['normalize'],
  },
} as const satisfies Record<string, FlagSpec>;

interface FlagSpec {
  /** For the API's schema and documents. */
  description: string;
  /** The CLI's help line. */
  cli: string;
  /** The page's checkbox, its hint, and the job page's word for it. */
  label: string;
  hint: string;
  summary: string;
  excludes: readonly string[];
}

export type Flag = keyof typeof FLAGS;
export const FLAG_NAMES = Object.keys(FLAGS) as Flag[];

/** The CLI's name of a flag: `--split-chapters` for `split_chapters`. */
export function cliFlag(flag: Flag): string {
  return flag.replaceAll('_', '-');
}

/** The CLI's help lines for the flags. */
export function flagHelp(): string[] {
  return FLAG_NAMES.map((flag) => `      --${cliFlag(flag).padEnd(16)}${FLAGS[flag].cli}`);
}

/** A zod shape with one field per flag. */
function flagShape<T extends z.ZodType>(field: (flag: Flag) => T): Record<Flag, T> {
  return Object.fromEntries(FLAG_NAMES.map((flag) => [flag, field(flag)])) as Record<Flag, T>;
}

/** The flags of `options`, each as set (absent: off). */
export function flagValues(options: Partial<Record<Flag, boolean | null>>): Record<Flag, boolean> {
  return Object.fromEntries(FLAG_NAMES.map((flag) => [flag, options[flag] ?? false])) as Record<Flag, boolean>;
}

const SPONSORBLOCK =
  'SponsorBlock: `remove` the segments people marked in a YouTube video (sponsor, self-promotion, intro…), or `mark` them as chapters. When the SponsorBlock API cannot be reached the audio is converted whole, and each file says so.';
const SPONSORBLOCK_MODES = ['off', ...SPONSORBLOCK_ACTIONS] as const;
const sponsorCategory = z.enum(SPONSOR_CATEGORY_IDS);

const sponsorAction = z.enum(SPONSORBLOCK_ACTIONS);

/** What SponsorBlock did for a file: the segments removed or marked (seconds of the source), or why none. */
export const sponsorBlockOutcomeSchema = z.union([
  z.object({
    action: sponsorAction,
    segments: z.array(z.object({ start: z.number(), end: z.number(), category: sponsorCategory })),
  }),
  z.object({
    action: sponsorAction,
    skipped: z
      .enum(['unavailable', 'unsupported'])
      .describe(
        '`unavailable`: the SponsorBlock API could not be reached or answered nonsense; `unsupported`: SponsorBlock knows only YouTube videos. The audio is whole.',
      ),
  }),
]);

/** What is stored for a job and shown back in its view: every option, resolved. */
export const jobOptionsSchema = z.object({
  format: z.enum(AUDIO_FORMATS),
  quality: z
    .string()
    .describe('`original` (keep the source audio when it already fits the format), a bitrate, or an MP3 preset.'),
  start: z.number().nullable().describe('Seconds.'),
  end: z.number().nullable().describe('Seconds.'),
  // Options stored before a flag existed did not have it on.
  ...flagShape((flag) => z.boolean().default(false).describe(FLAGS[flag].description)),
  items: z.string().nullable().describe('Playlists: the entries chosen, in one canonical spelling; null for all.'),
  sponsorblock: z.enum(SPONSORBLOCK_MODES).default('off').describe(SPONSORBLOCK),
  sponsorblock_categories: z.array(sponsorCategory).readonly().default([]).describe('Empty when SponsorBlock is off.'),
});
export type JobOptions = z.infer<typeof jobOptionsSchema>;

const time = z
  .union([z.number(), z.string().max(32)])
  .nullable()
  .describe('Seconds, or `h:mm:ss`.');

/** The options fields of a request (JSON body or form); absent or null means the default. */
export const optionFieldsSchema = z
  .object({
    format: z.enum(AUDIO_FORMATS).nullable().describe('Default mp3.'),
    quality: z
      .string()
      .max(16)
      .nullable()
      .describe(
        'Default `original`: no re-encode when the source audio already fits the format, else the format’s usual bitrate. Or a bitrate such as `192k`, or `V0`…`V9` for MP3.',
      ),
    start: time,
    end: time,
    ...flagShape((flag) => z.boolean().nullable().describe(`${FLAGS[flag].description} Default false.`)),
    items: z
      .string()
      .max(200)
      .nullable()
      .describe(
        'Playlists: which entries to convert, as yt-dlp’s `-I` writes it: `1-3,7,10-`, `-5:` (the last five), `1:10:2`. Default all; a single video ignores it.',
      ),
    sponsorblock: z.enum(SPONSORBLOCK_MODES).nullable().describe(`${SPONSORBLOCK} Default off.`),
    sponsorblock_categories: z
      .union([z.array(sponsorCategory), z.string().max(200)])
      .nullable()
      .describe(
        `The SponsorBlock categories to remove or mark: a list, or names separated by commas (a form's field). Default ${DEFAULT_SPONSOR_CATEGORIES.join(', ')}.`,
      ),
  })
  .partial();
export type OptionFields = z.input<typeof optionFieldsSchema>;

/** The JSON schema of a zod shape, as Fastify's validator (draft-07) and the OpenAPI document take it. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  return json;
}

export const DEFAULT_FORMAT: AudioFormat = 'mp3';

/** Stored quality to the pipeline's: `original` is the pipeline's default (no quality given). */
export function toConvertOptions(o: JobOptions): ConvertOptions {
  const options: ConvertOptions = {
    format: o.format,
    splitChapters: o.split_chapters,
    normalize: o.normalize,
    replaygain: o.replaygain,
  };
  if (o.quality !== ORIGINAL_QUALITY) options.quality = o.quality;
  if (o.start !== null) options.start = o.start;
  if (o.end !== null) options.end = o.end;
  if (o.items !== null) options.items = parseItems(o.items);
  if (o.sponsorblock !== 'off')
    options.sponsorblock = { action: o.sponsorblock, categories: o.sponsorblock_categories };
  return options;
}

/**
 * A SponsorBlock choice as a request or the CLI gives it (action; categories as a list or
 * `sponsor,intro`), checked, as stored: the default categories when none are given, none when off.
 */
export function sponsorBlockFields(
  action: string | null | undefined,
  categories?: string | readonly string[] | null,
): Pick<JobOptions, 'sponsorblock' | 'sponsorblock_categories'> {
  const chosen = sponsorBlockOption(action, categories);
  return chosen
    ? { sponsorblock: chosen.action, sponsorblock_categories: [...chosen.categories] }
    : { sponsorblock: 'off', sponsorblock_categories: [] };
}

/** Options stored before `original` existed said null for it; before `items`, nothing (all entries). */
export function storedOptions(json: string): JobOptions {
  const raw = JSON.parse(json) as Omit<JobOptions, 'quality' | 'items'> & { quality: string | null; items?: string };
  return jobOptionsSchema.parse({ ...raw, quality: raw.quality ?? ORIGINAL_QUALITY, items: raw.items ?? null });
}

// ─── The catalog the page builds its form from ────────────────────────────────────────────────

const qualityChoiceSchema = z.object({
  value: z.string(),
  label: z.string(),
  group: z.string().nullable().describe('Choices are shown in groups (constant and variable bitrate).'),
});

const formatChoiceSchema = z.object({
  id: z.enum(AUDIO_FORMATS),
  label: z.string(),
  description: z.string(),
  lossless: z.boolean(),
  encode_quality: z
    .string()
    .nullable()
    .describe('What `original` encodes at when the source cannot be kept as it is; null for lossless formats.'),
  qualities: z.array(qualityChoiceSchema),
  extensions: z.array(z.string()).describe('File name extensions whose audio this format usually keeps as it is.'),
});
export type FormatChoice = z.infer<typeof formatChoiceSchema>;

const DESCRIPTIONS: Record<AudioFormat, Pick<FormatChoice, 'label' | 'description' | 'extensions'>> = {
  mp3: { label: 'MP3', description: 'plays everywhere', extensions: ['mp3'] },
  m4a: { label: 'M4A (AAC)', description: 'Apple devices', extensions: ['m4a', 'aac'] },
  opus: { label: 'Opus', description: 'smallest files', extensions: ['opus'] },
  ogg: { label: 'Ogg Vorbis', description: 'open format', extensions: ['ogg', 'oga'] },
  flac: { label: 'FLAC', description: 'lossless', extensions: ['flac'] },
  wav: { label: 'WAV', description: 'lossless, uncompressed', extensions: ['wav'] },
};

/** The bitrates the page offers (any bitrate in QUALITY_KBPS is accepted from the API). */
const OFFERED_KBPS = [320, 256, 192, 160, 128, 96, 64];
/** LAME's VBR presets the page offers, with their typical bitrate so people can compare them with CBR. */
const OFFERED_VBR: Record<string, string> = { V0: '≈ 245 kbps', V2: '≈ 190 kbps', V4: '≈ 165 kbps' };

/** What a file says when SponsorBlock could not be applied (the page and the CLI show these words). */
export const SPONSORBLOCK_SKIPPED = {
  unavailable: 'The SponsorBlock API could not be reached: the audio is whole, nothing was removed or marked.',
  unsupported: 'SponsorBlock knows only YouTube videos: the audio is whole.',
} as const;

/** SponsorBlock's categories with their names, those asked for when none are given, and the notes. */
export function sponsorBlockCatalog(): Catalog['sponsorblock'] {
  const categories = SPONSOR_CATEGORY_IDS.map((id) => ({ id, label: SPONSORBLOCK_CATEGORIES[id] }));
  return { categories, default_categories: [...DEFAULT_SPONSOR_CATEGORIES], skipped: SPONSORBLOCK_SKIPPED };
}

export function formatCatalog(): FormatChoice[] {
  return AUDIO_FORMATS.map((id) => {
    const spec = FORMATS[id];
    const original = { value: ORIGINAL_QUALITY, label: 'Original (no re-encode)', group: null };
    const bitrates = OFFERED_KBPS.filter((kbps) => kbps >= QUALITY_KBPS.min && kbps <= QUALITY_KBPS.max)
      // Opus is transparent at lower rates than the others: 320k would only waste space.
      .filter((kbps) => id !== 'opus' || kbps < 320)
      .map((kbps) => ({ value: `${kbps}k`, label: `${kbps} kbps`, group: 'Constant bitrate' }));
    const vbr =
      id === 'mp3'
        ? Object.entries(OFFERED_VBR)
            .filter(([preset]) => VBR_PRESETS.test(preset))
            .map(([value, typical]) => ({ value, label: `${value} · VBR ${typical}`, group: 'Variable bitrate (VBR)' }))
        : [];
    return {
      id,
      ...DESCRIPTIONS[id],
      lossless: spec.bitrate === null,
      encode_quality: spec.bitrate,
      qualities: spec.bitrate === null ? [original] : [original, ...bitrates, ...vbr],
    };
  });
}

const flagChoiceSchema = z.object({
  id: z.enum(FLAG_NAMES as [Flag, ...Flag[]]),
  label: z.string(),
  hint: z.string(),
  summary: z.string().describe('What a job page says of a job with this option on.'),
  excludes: z
    .array(z.enum(FLAG_NAMES as [Flag, ...Flag[]]))
    .describe('Options that cannot be on together with this one.'),
});
export type FlagChoice = z.infer<typeof flagChoiceSchema>;

export function flagCatalog(): FlagChoice[] {
  return FLAG_NAMES.map((id) => {
    const { label, hint, summary, excludes } = FLAGS[id];
    return { id, label, hint, summary, excludes: [...excludes] };
  });
}

/** What `GET /api/options` answers; the page builds its form from it and explains errors with it. */
export const catalogSchema = z.object({
  formats: z.array(formatChoiceSchema),
  flags: z.array(flagChoiceSchema).describe('The on/off options, in the order the form shows them.'),
  default_format: z.enum(AUDIO_FORMATS),
  default_quality: z.string(),
  limits: z.object({
    max_upload_bytes: z.number().int(),
    max_upload_text: z.string().describe('The same limit as people read it ("1 GB"), as the server words its refusal.'),
    max_duration_seconds: z.number().nullable().describe('Longest media accepted; null for no limit.'),
    max_playlist_entries: z.number().int().nullable(),
  }),
  sponsorblock: z.object({
    categories: z.array(z.object({ id: sponsorCategory, label: z.string() })),
    default_categories: z.array(sponsorCategory),
    skipped: z.object({ unavailable: z.string(), unsupported: z.string() }),
  }),
  error_hints: z
    .record(z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES]), z.string())
    .describe('A sentence per error code saying what happened and what to do.'),
  access: accessSchema,
});
export type Catalog = z.infer<typeof catalogSchema>;
