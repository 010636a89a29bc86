/**
 * A conversion on the CLI against its yardsticks, in alternating rounds: yt-dlp's CLI doing the
 * same job (same yt-dlp), one ffmpeg encode of the local file, and the bare download.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Site } from '../test/site/server.ts';
import {
  BYTES_PER_SECOND,
  childEnv,
  downloadTrial,
  ffmpegCommand,
  type Tools,
  ytconvCommand,
  ytdlpCommand,
} from './commands.ts';
import { commandTrial, measure, median, pairedRatio } from './measure.ts';
import type { BenchSetup, Rounds } from './setup.ts';
import { guarded, length, mb, type Row, seconds, times } from './table.ts';

export interface ConversionFigure extends Rounds {
  minutes: number;
  /** Most ytconv may take against yt-dlp's CLI. */
  ytdlpTarget: number;
  /** Most ytconv may take against one encoder, when the figure has that target. */
  encodeTarget?: number;
  /**
   * Minutes of a shorter video that ytconv also converts in each round, for a second row: the time
   * per media minute of this figure's against the shorter one's.
   */
  perMinuteAgainst?: number;
}

/** The figure's row, and the time per media minute's when it has one. */
export async function conversionRows(
  bench: BenchSetup,
  site: Site,
  tools: Tools,
  figure: ConversionFigure,
): Promise<Row[]> {
  const { encodeTarget } = figure;
  const name = `${length(figure.minutes * bench.minute)} source → MP3 192k at 4 MB/s`;
  const target = `≤ ${times(figure.ytdlpTarget)} yt-dlp${encodeTarget ? `; ≤ ${times(encodeTarget)} one encoder` : ''}`;
  let perMinute: Row | null = null;
  const row = await guarded(name, target, async () => {
    const measured = await measureConversion(bench, site, tools, figure, target);
    perMinute = measured.perMinute;
    return measured.row;
  });
  return perMinute ? [row, perMinute] : [row];
}

/** A video of `minutes` on the site, for the bench (the media is generated once, then cached). */
async function benchVideo(bench: BenchSetup, site: Site, minutes: number): Promise<string> {
  const mediaSeconds = minutes * bench.minute;
  const name = `bench-${mediaSeconds}s`;
  bench.progress(`Preparing the ${length(mediaSeconds)} stand-in video (generated once, then cached)`);
  await site.addVideo({
    name,
    seconds: mediaSeconds,
    title: `Bench Tone (${mediaSeconds} s)`,
    bytesPerSecond: BYTES_PER_SECOND,
  });
  return name;
}

async function measureConversion(
  bench: BenchSetup,
  site: Site,
  tools: Tools,
  figure: ConversionFigure,
  target: string,
): Promise<{ row: Row; perMinute: Row | null }> {
  const mediaSeconds = figure.minutes * bench.minute;
  const name = await benchVideo(bench, site, figure.minutes);
  const shorter = figure.perMinuteAgainst ? await benchVideo(bench, site, figure.perMinuteAgainst) : null;
  const source = site.mediaPath(name, '251');
  const url = site.watchUrl(name);
  const trials = [
    commandTrial(
      ytconvCommand(() => url),
      childEnv(site),
    ),
    commandTrial(ytdlpCommand(tools, url), childEnv(site)),
    commandTrial(ffmpegCommand(tools, source), childEnv(site)),
    downloadTrial(site.mediaUrl(name, '251')),
    ...(shorter
      ? [
          commandTrial(
            ytconvCommand(() => site.watchUrl(shorter)),
            childEnv(site),
          ),
        ]
      : []),
  ];
  bench.progress(
    `Timing the ${length(mediaSeconds)} conversion: ${bench.runsNote(figure)}, ${trials.length} runs each`,
  );
  const [ours = [], ytdlp = [], encode = [], download = [], short = []] = await measure(trials, {
    ...bench.plan(figure),
    workDir: join(bench.workDir, name),
  });
  const vsYtdlp = pairedRatio(ours, ytdlp);
  const vsEncode = pairedRatio(ours, encode);
  const { encodeTarget, perMinuteAgainst } = figure;
  const row: Row = {
    figure: `${length(mediaSeconds)} Opus source (${mb((await stat(source)).size)}) → MP3 192k at 4 MB/s`,
    runs: bench.runsNote(figure, ours.length),
    ytconv: seconds(median(ours)),
    peers: `yt-dlp -x ${seconds(median(ytdlp))}; one encode ${seconds(median(encode))}; download ${seconds(median(download))}`,
    ratios: `${times(vsYtdlp)} yt-dlp; ${times(vsEncode)} encode`,
    target,
    holds: [vsYtdlp <= figure.ytdlpTarget, ...(encodeTarget ? [vsEncode <= encodeTarget] : [])],
  };
  const perMinute = perMinuteAgainst ? perMinuteRow(bench, figure, perMinuteAgainst, ours, short) : null;
  return { row, perMinute };
}

/**
 * The time per media minute of `long` runs against `short` ones, round by round. Fixed costs (the
 * start, the first media's arrival) make a short video cost more per minute: only growth counts.
 */
function perMinuteRow(
  bench: BenchSetup,
  figure: ConversionFigure,
  shortMinutes: number,
  long: readonly number[],
  short: readonly number[],
): Row {
  const perMinute = (runs: readonly number[], minutes: number) => runs.map((s) => s / ((minutes * bench.minute) / 60));
  const [longRate, shortRate] = [perMinute(long, figure.minutes), perMinute(short, shortMinutes)];
  const growth = pairedRatio(longRate, shortRate);
  const [longName, shortName] = [figure.minutes, shortMinutes].map((m) => length(m * bench.minute));
  return {
    figure: `time per media minute, ${shortName} against ${longName} (CLI)`,
    runs: bench.runsNote(figure, long.length),
    ytconv: `${seconds(median(shortRate))} per min at ${shortName}; ${seconds(median(longRate))} at ${longName}`,
    peers: '–',
    ratios: `${times(growth)} at ${longName}`,
    target: '≤ 1.10× (no growth with length)',
    holds: [growth <= 1.1],
  };
}
