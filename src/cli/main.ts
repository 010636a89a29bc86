/**
 * The `ytconv` command: the only place that reads argv, loads `.env`, traps signals and sets
 * the exit code. Each subcommand lives in its own module.
 */
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

// Stripping types and compiling ~140 modules (zod's ~95) again at every start is most of the time
// before `convert` can start yt-dlp: cache both, keyed by content, so an edited file is compiled
// anew. Enabled before the first import of our code, which is why config is imported here.
enableCompileCache(join(ROOT, 'var', 'cache', 'node'));
const { ConfigError, loadConfig } = await import('../config.ts');
const { DEFAULT_SPONSOR_CATEGORIES, SPONSOR_CATEGORY_IDS } = await import('../pipeline/types.ts');

const HELP = `ytconv: turn YouTube links, media links and media files into tagged audio.

Usage:
  ytconv convert SOURCE... [options]   convert links or files into audio files
  ytconv info SOURCE [--json]          show title, duration, chapters, playlist entries
  ytconv doctor                        check ffmpeg, ffprobe, yt-dlp and Node
  ytconv run                           web server, worker and Redis together (what make run starts)
  ytconv web                           the web server (PORT, default 8000)
  ytconv worker                        a worker: conversions, emails, housekeeping
  ytconv migrate                       create or update the database's tables (DATABASE_URL)
  ytconv admin create USERNAME         add a person who may sign in to /admin (asks for a password);
                                       with --role user, one who may only use a private page and API
  ytconv admin list                    list who may sign in, their role and when each was added
  ytconv admin passwd USERNAME         change an admin's password (asks for it)
  ytconv admin delete USERNAME         remove an admin (the last one only with --force)
  ytconv ytdlp status                  the yt-dlp workers use, its age, the last check and canary
  ytconv ytdlp update                  check for a newer yt-dlp now (download, canary, switch)
  ytconv ytdlp rollback                return every worker to the previous yt-dlp
  ytconv admin cookies                 the cookies pool: which files are in use, which set aside
  ytconv admin cookies-back NAME       put a cookies file that met a bot wall back in use
  ytconv apikey create NAME [--rate N/1m]  an API key (YTCONV_ACCESS=apikey), printed once
  ytconv apikey list                   the API keys, their limits, and which are revoked
  ytconv apikey revoke NAME            refuse a key's requests from now on

Convert options:
  -f, --format F        mp3 (default), m4a, opus, ogg, flac, wav
  -q, --quality Q       original (default: the source audio as it is when it already fits the
                        format, else 192k, Opus 128k), a bitrate 64k…320k, or V0…V9 (MP3 VBR)
      --start T         start at T (seconds or h:mm:ss)
      --end T           end at T (seconds or h:mm:ss)
{flags}
  -I, --items LIST      playlists: only these entries, as yt-dlp's -I: 1-3,7,10- or -5: (last five)
      --sponsorblock A  remove (or mark as chapters) a YouTube video's SponsorBlock segments
      --sponsorblock-categories C
                        which, separated by commas (default ${DEFAULT_SPONSOR_CATEGORIES.join(',')}),
                        of ${SPONSOR_CATEGORY_IDS.join(', ')}
  -o, --output DIR      where to write the files (default: the current directory)
      --json            print one JSON object on stdout instead of a progress bar

Configuration comes from the environment and a .env file: see the README.`;

async function main(argv: string[]): Promise<number> {
  const envFile = join(ROOT, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    // The flags' lines come from their one definition, loaded only for the help.
    const { flagHelp } = await import('../options.ts');
    process.stdout.write(`${HELP.replace('{flags}', flagHelp().join('\n'))}\n`);
    return command === undefined ? 2 : 0;
  }
  const config = loadConfig(process.env, ROOT);
  switch (command) {
    // Each subcommand is loaded when used: doctor must work even when the engine cannot load.
    case 'convert':
      return (await import('./convert.ts')).runConvert(rest, config.engine);
    case 'info':
      return (await import('./info.ts')).runInfo(rest, config.engine);
    case 'doctor': {
      const { runDoctor } = await import('./doctor.ts');
      return (await runDoctor(config, (line) => process.stdout.write(`${line}\n`))) ? 0 : 1;
    }
    case 'migrate':
      return (await import('./migrate.ts')).runMigrate(config);
    case 'run':
      return (await import('./run.ts')).runAll(config);
    case 'web':
      return (await import('./web.ts')).runWeb(config);
    case 'worker':
      return (await import('./worker.ts')).runWorker(config);
    case 'admin':
      return (await import('./admin.ts')).runAdmin(rest, config);
    case 'apikey':
      return (await import('./apikey.ts')).runApikey(rest, config);
    case 'ytdlp':
      return (await import('./ytdlp.ts')).runYtdlp(rest, config);
    default:
      process.stderr.write(`ytconv: unknown command "${command}". Run ytconv --help.\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`ytconv: ${err.message}\n`);
    else process.stderr.write(`ytconv: unexpected failure: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = err instanceof ConfigError ? 78 : 70;
  },
);
