/** Start the stand-in site by hand (`node test/site/main.ts`) and keep it up until Ctrl-C. */
import { PLAYLISTS, VIDEOS } from './catalog.ts';
import { startSite } from './server.ts';

const site = await startSite();
console.log(`origin     ${site.origin}`);
console.log(`pluginDir  ${site.pluginDir}   (PYTHONPATH=${site.pluginDir} yt-dlp -J -- URL)`);
for (const name of Object.keys(VIDEOS)) console.log(`video      ${name.padEnd(10)} ${site.watchUrl(name)}`);
for (const name of Object.keys(PLAYLISTS) as (keyof typeof PLAYLISTS)[]) {
  console.log(`playlist   ${name.padEnd(10)} ${site.playlistUrl(name)}`);
}
process.once('SIGINT', () => void site.close());
