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
}

export function conversionRow(bench: BenchSetup, site: Site, tools: Tools, figure: ConversionFigure): Promise<Row> {
  const { encodeTarget } = figure;
  const name = `${length(figure.minutes * bench.minute)} source → MP3 192k at 4 MB/s`;
  const target = `≤ ${times(figure.ytdlpTarget)} yt-dlp${encodeTarget ? `; ≤ ${times(encodeTarget)} one encoder` : ''}`;
  return guarded(name, target, () => measureConversion(bench, site, tools, figure, target));
}

async function measureConversion(
  bench: BenchSetup,
  site: Site,
  tools: Tools,
  figure: ConversionFigure,
  target: string,
): Promise<Row> {
  const mediaSeconds = figure.minutes * bench.minute;
  const name = `bench-${mediaSeconds}s`;
  bench.progress(`Preparing the ${length(mediaSeconds)} stand-in video (generated once, then cached)`);
  await site.addVideo({
    name,
    seconds: mediaSeconds,
    title: `Bench Tone (${mediaSeconds} s)`,
    bytesPerSecond: BYTES_PER_SECOND,
  });
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
  ];
  bench.progress(
    `Timing the ${length(mediaSeconds)} conversion: ${bench.runsNote(figure)}, ${trials.length} runs each`,
  );
  const [ours = [], ytdlp = [], encode = [], download = []] = await measure(trials, {
    ...bench.plan(figure),
    workDir: join(bench.workDir, name),
  });
  const vsYtdlp = pairedRatio(ours, ytdlp);
  const vsEncode = pairedRatio(ours, encode);
  const { encodeTarget } = figure;
  return {
    figure: `${length(mediaSeconds)} Opus source (${mb((await stat(source)).size)}) → MP3 192k at 4 MB/s`,
    runs: bench.runsNote(figure, ours.length),
    ytconv: seconds(median(ours)),
    peers: `yt-dlp -x ${seconds(median(ytdlp))}; one encode ${seconds(median(encode))}; download ${seconds(median(download))}`,
    ratios: `${times(vsYtdlp)} yt-dlp; ${times(vsEncode)} encode`,
    target,
    holds: [vsYtdlp <= figure.ytdlpTarget, ...(encodeTarget ? [vsEncode <= encodeTarget] : [])],
  };
}
