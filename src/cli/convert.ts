/** `ytconv convert SOURCE... [options]`: the engine with no server. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConvertError } from '../errors.ts';
import { convert, type EntryReport } from '../pipeline/convert.ts';
import { qualityOption } from '../pipeline/options.ts';
import { parseSource } from '../pipeline/sources.ts';
import type { AudioFormat, ConvertOptions, Engine, OutputFile } from '../pipeline/types.ts';
import { WarmYtdlp } from '../pipeline/ytdlp-server.ts';
import { parseTimestamp } from '../units.ts';
import { fileNotes, interruptSignal, printJson, reportFailure } from './output.ts';
import { terminalBar } from './progress-bar.ts';

const OPTIONS = {
  format: { type: 'string', short: 'f', default: 'mp3' },
  quality: { type: 'string', short: 'q' },
  start: { type: 'string' },
  end: { type: 'string' },
  'split-chapters': { type: 'boolean', default: false },
  normalize: { type: 'boolean', default: false },
  replaygain: { type: 'boolean', default: false },
  output: { type: 'string', short: 'o', default: '.' },
  json: { type: 'boolean', default: false },
} as const;

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
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ConvertError('invalid_option', (err as Error).message);
  }
  const v = values.values;
  if (values.positionals.length === 0)
    throw new ConvertError('invalid_option', 'Give at least one link or file to convert.');
  const options: ConvertOptions = {
    format: v.format as AudioFormat,
    splitChapters: v['split-chapters'],
    normalize: v.normalize,
    replaygain: v.replaygain,
  };
  const quality = qualityOption(v.quality);
  if (quality !== undefined) options.quality = quality;
  if (v.start !== undefined) options.start = timestamp('--start', v.start);
  if (v.end !== undefined) options.end = timestamp('--end', v.end);
  return { sources: values.positionals, options, outDir: resolve(v.output) };
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
  const { path, title, duration, format, bitrate, size, truncated, unsplit } = f;
  return { path, title, duration, format, bitrate, size, truncated, unsplit };
}
