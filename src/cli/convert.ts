/** `ytconv convert SOURCE... [options]`: the engine with no server. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConvertError } from '../errors.ts';
import { cliFlag, FLAG_NAMES, flagValues, type JobOptions, sponsorBlockFields, toConvertOptions } from '../options.ts';
import { convert, type EntryReport } from '../pipeline/convert.ts';
import { formatItems, parseItems } from '../pipeline/items.ts';
import { ORIGINAL_QUALITY } from '../pipeline/options.ts';
import { parseSource } from '../pipeline/sources.ts';
import type { AudioFormat, ConvertOptions, Engine, OutputFile } from '../pipeline/types.ts';
import { WarmYtdlp } from '../pipeline/ytdlp-server.ts';
import { parseTimestamp } from '../units.ts';
import { fileNotes, interruptSignal, printJson, reportFailure } from './output.ts';
import { terminalBar } from './progress-bar.ts';

const OPTIONS = {
  format: { type: 'string', short: 'f', default: 'mp3' },
  quality: { type: 'string', short: 'q', default: ORIGINAL_QUALITY },
  start: { type: 'string' },
  end: { type: 'string' },
  items: { type: 'string', short: 'I' },
  sponsorblock: { type: 'string' },
  'sponsorblock-categories': { type: 'string' },
  output: { type: 'string', short: 'o', default: '.' },
  json: { type: 'boolean', default: false },
} as const;

/** `--split-chapters` and the other flags (options.ts). */
const FLAG_OPTIONS = Object.fromEntries(FLAG_NAMES.map((flag) => [cliFlag(flag), { type: 'boolean' } as const]));

export async function runConvert(argv: string[], engine: Engine): Promise<number> {
  const json = argv.includes('--json');
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    return reportFailure(err, json);
  }
  const signal = interruptSignal();
  const bar = !json && process.stderr.isTTY ? terminalBar(process.stderr) : null;
  const files: OutputFile[] = [];
  /** A playlist's entries that failed, for --json: a script must be able to tell one was left out. */
  const skipped: SkippedEntry[] = [];
  // One yt-dlp start for the whole run: its extract and download calls are forks of it.
  const warmYtdlp = new WarmYtdlp({ maxJobs: Number.POSITIVE_INFINITY });
  try {
    for (const input of parsed.sources) {
      const before = files.length;
      const result = await convert(parseSource(input, { allowFiles: true }), parsed.options, {
        engine: { ...engine, warmYtdlp },
        outDir: parsed.outDir,
        albumFolder: true,
        signal,
        onProgress: bar?.show,
        // A playlist's finished entries stay even when it is stopped later: list them then too.
        onEntry: (entry) => {
          if (entry.status === 'done') files.push(...entry.files);
          if (entry.status === 'failed') skipped.push(skippedJson(entry));
          if (entry.status === 'failed' && !json) {
            bar?.clear();
            process.stderr.write(`ytconv: skipped ${entry.title ?? `entry ${entry.index}`}: ${entry.error.message}\n`);
          }
        },
      });
      bar?.clear();
      files.splice(before, files.length - before, ...result.files);
    }
  } catch (err) {
    bar?.clear();
    return reportFailure(err, json, files.length > 0 ? { files: files.map(fileJson), skipped } : {});
  } finally {
    await warmYtdlp.close();
  }
  if (json) printJson({ files: files.map(fileJson), skipped });
  else for (const f of files) process.stdout.write(`${f.path}\n`);
  if (!json) for (const note of files.flatMap(fileNotes)) process.stderr.write(`${note}\n`);
  return 0;
}

function parse(argv: string[]): { sources: string[]; options: ConvertOptions; outDir: string } {
  const options = { ...OPTIONS, ...FLAG_OPTIONS };
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    values = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as typeof values;
  } catch (err) {
    throw new ConvertError('invalid_option', argumentError(err));
  }
  const v = values.values;
  const flags = v as Record<string, unknown>;
  if (values.positionals.length === 0)
    throw new ConvertError('invalid_option', 'Give at least one link or file to convert.');
  // The same options as a job's, through the same one mapping to the pipeline's.
  const job: JobOptions = {
    format: v.format as AudioFormat,
    quality: v.quality,
    start: v.start === undefined ? null : timestamp('--start', v.start),
    end: v.end === undefined ? null : timestamp('--end', v.end),
    ...flagValues(Object.fromEntries(FLAG_NAMES.map((flag) => [flag, flags[cliFlag(flag)] === true]))),
    items: v.items === undefined ? null : formatItems(parseItems(v.items)),
    ...sponsorBlockFields(v.sponsorblock, v['sponsorblock-categories']),
  };
  return { sources: values.positionals, options: toConvertOptions(job), outDir: resolve(v.output) };
}

function timestamp(flag: string, value: string): number {
  const seconds = parseTimestamp(value);
  if (seconds === null) throw new ConvertError('invalid_option', `${flag} takes seconds or h:mm:ss, not "${value}".`);
  return seconds;
}

type SkippedEntry = { index: number; title: string | null; error: { code: string; message: string } };

function skippedJson(entry: Extract<EntryReport, { status: 'failed' }>): SkippedEntry {
  return { index: entry.index, title: entry.title, error: { code: entry.error.code, message: entry.error.message } };
}

function fileJson(f: OutputFile): Record<string, unknown> {
  const { path, title, duration, format, bitrate, size, truncated, unsplit, sponsorblock } = f;
  return { path, title, duration, format, bitrate, size, truncated, unsplit, sponsorblock };
}

/** Our sentence for what node:util's parseArgs refused (its own text names its internals). */
function argumentError(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  const option = /'(-[^']*)'/
    .exec(message ?? '')?.[1]
    ?.split(',')
    .pop()
    ?.trim()
    .split(' ')[0];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `There is no option ${option}. Run ytconv --help.`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && message?.includes('does not take'))
    return `${option} is on or off: it takes no value. Run ytconv --help.`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `${option} needs a value. Run ytconv --help.`;
  return 'These options cannot be read. Run ytconv --help.';
}
