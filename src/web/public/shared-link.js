/**
 * What a link into the home page brings: `/?url=…` (a bookmarklet, "Convert again"), or a share
 * from a phone's app through the installed page's share target (manifest.webmanifest), which puts
 * the link in `url` or, as YouTube's app does, inside `text` ("Look at this https://youtu.be/…").
 * `go=1` asks for the conversion to start at once. Pure, so it is unit-tested.
 */

const LINK = /\bhttps?:\/\/[^\s<>"']+/i;

/**
 * @param {URLSearchParams} params
 * @returns {{ url: string, go: boolean }}
 */
export function sharedLink(params) {
  const url = params.get('url')?.trim() || LINK.exec(params.get('text') ?? '')?.[0] || '';
  return { url, go: url !== '' && params.get('go') === '1' };
}

/**
 * A bookmarklet that opens this server's page with the current tab's address, started at once.
 * @param {string} origin
 */
export function bookmarklet(origin) {
  return `javascript:void(location.href=${JSON.stringify(`${origin}/?go=1&url=`)}+encodeURIComponent(location.href))`;
}
