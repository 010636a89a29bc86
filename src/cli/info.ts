/** `ytconv info SOURCE [--json]`: what a source holds, without downloading its media. */
import { parseArgs } from 'node:util';
import { ConvertError } from '../errors.ts';
import { inspect, type SourceSummary } from '../pipeline/inspect.ts';
import { parseSource } from '../pipeline/sources.ts';
import type { Engine } from '../pipeline/types.ts';
import { interruptSignal, printJson, reportFailure } from './output.ts';

export async function runInfo(argv: string[], engine: Engine): Promise<number> {
  const json = argv.includes('--json');
  try {
    const { positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new ConvertError('invalid_option', 'Give exactly one link or file.');
    const summary = await inspect(
      parseSource(positionals[0] as string, { allowFiles: true }),
      engine,
      interruptSignal(),
    );
    if (json) printJson(summary);
    else process.stdout.write(describe(summary));
    return 0;
  } catch (err) {
    return reportFailure(err instanceof TypeError ? new ConvertError('invalid_option', err.message) : err, json);
  }
}

function describe(s: SourceSummary): string {
  const lines = [s.title];
  if (s.uploader) lines.push(`by ${s.uploader}`);
  if (s.duration !== null) lines.push(`duration: ${hms(s.duration)}`);
  if (s.date) lines.push(`date: ${s.date}`);
  if (s.url) lines.push(`url: ${s.url}`);
  if (s.thumbnail) lines.push(`thumbnail: ${s.thumbnail}`);
  if (s.chapters.length > 0) lines.push('chapters:', ...s.chapters.map((c) => `  ${hms(c.start)}  ${c.title}`));
  if (s.entries)
    lines.push(
      `${s.entries.length} entries:`,
      ...s.entries.map((e, i) => `  ${i + 1}. ${e.title ?? e.url}${e.duration === null ? '' : `  ${hms(e.duration)}`}`),
    );
  return `${lines.join('\n')}\n`;
}

function hms(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s).padStart(2, '0')}`;
}
