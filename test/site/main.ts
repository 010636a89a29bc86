/** Start the stand-in site by hand (`node test/site/main.ts`) and keep it up until Ctrl-C. */
import { PLAYLISTS, VIDEOS } from './catalog.ts';
import { startSite } from './server.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`Usage: node test/site/main.ts

Starts the stand-in video site on a free loopback port, prints its links and how to point
yt-dlp, the CLI and the service at it, and keeps it up until Ctrl-C. It takes no options.`);
  process.exit(0);
}

const site = await startSite();
const pluginDir = site.pluginDir.replace(/\/plugin$/, '');
console.log(`origin     ${site.origin}`);
console.log(`pluginDir  ${site.pluginDir}   (PYTHONPATH=${site.pluginDir} yt-dlp -J -- URL)`);
for (const name of Object.keys(VIDEOS)) console.log(`video      ${name.padEnd(10)} ${site.watchUrl(name)}`);
for (const name of Object.keys(PLAYLISTS) as (keyof typeof PLAYLISTS)[]) {
  console.log(`playlist   ${name.padEnd(10)} ${site.playlistUrl(name)}`);
}
// The site is on loopback and not YouTube: the default policy refuses both.
console.log(`
To convert its links with the CLI or the service, in another terminal:
  export YTCONV_YTDLP_PLUGIN_DIRS=${pluginDir} YTCONV_ALLOWED_SITES=standin YTCONV_ALLOW_PRIVATE_ADDRESSES=on
  bin/ytconv convert ${site.watchUrl(Object.keys(VIDEOS)[0] as string)}    # or: make run`);
process.once('SIGINT', () => void site.close());
