/**
 * yt-dlp's `--extractor-args` as the operator writes them (YTCONV_YTDLP_EXTRACTOR_ARGS and the
 * YTCONV_YTDLP_PLAYER_CLIENT shorthand), turned into one value per extractor. yt-dlp's own
 * grammar is `EXTRACTOR:ARG=VALUE;ARG=VALUE`, so a `;` may start the next argument of the same
 * extractor or the next extractor: an extractor key is `[\w-]+` followed by `:` and an argument
 * name is `\w+` followed by `=`, so which one it is can always be told. These come from the
 * operator's configuration only; nothing a user sends ever reaches them.
 */

/** One extractor's arguments, in the order given: `[name, value]`, value '' for a bare flag. */
export interface ExtractorArgs {
  extractor: string;
  args: readonly (readonly [string, string])[];
}

const EXTRACTOR = /^([\w-]+):(.*)$/s;
const ARGUMENT = /^(\w+)(?:=(.*))?$/s;
const PLAYER_CLIENTS = /^-?\w+(?:,-?\w+)*$/;

/** `youtube:player_client=mweb;player_skip=webpage;youtubepot-bgutilhttp:base_url=…`, or null. */
export function parseExtractorArgs(text: string): ExtractorArgs[] | null {
  const merged = new Map<string, [string, string][]>();
  let current: [string, string][] | null = null;
  for (const part of text.trim().split(';')) {
    // `base_url=http://…` is an argument: its `=` comes before any `:`, and a key cannot hold one.
    const extractor = EXTRACTOR.exec(part.trim());
    if (extractor) {
      const key = (extractor[1] ?? '').toLowerCase();
      current = merged.get(key) ?? [];
      merged.set(key, current);
    }
    const argument = ARGUMENT.exec((extractor ? (extractor[2] ?? '') : part).trim());
    if (current === null || argument === null) return null;
    current.push([argument[1] ?? '', argument[2] ?? '']);
  }
  return [...merged].map(([extractor, args]) => ({ extractor, args }));
}

/** `default,mweb` or `-web,tv`: yt-dlp's player client names, comma separated; null otherwise. */
export function parsePlayerClients(text: string): string | null {
  const clients = text.replace(/\s+/g, '');
  return PLAYER_CLIENTS.test(clients) ? clients : null;
}

/**
 * The operator's arguments with the player_client shorthand folded into youtube's. Null when
 * both name a player_client: which one was meant cannot be told.
 */
export function withPlayerClients(given: readonly ExtractorArgs[], clients: string | null): ExtractorArgs[] | null {
  if (clients === null) return [...given];
  const youtube = given.find((e) => e.extractor === 'youtube');
  if (youtube?.args.some(([name]) => name === 'player_client')) return null;
  const others = given.filter((e) => e !== youtube);
  return [...others, { extractor: 'youtube', args: [...(youtube?.args ?? []), ['player_client', clients]] }];
}

/** The value of one `--extractor-args` option. */
export function renderExtractorArgs({ extractor, args }: ExtractorArgs): string {
  return `${extractor}:${args.map(([name, value]) => (value === '' ? name : `${name}=${value}`)).join(';')}`;
}
