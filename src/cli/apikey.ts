/**
 * `ytconv apikey create|list|revoke`: keys for the API of a private instance (YTCONV_ACCESS=apikey).
 * A new key is printed once, alone on stdout (`KEY=$(ytconv apikey create ci)`), and stored only as
 * a hash; the notes go to stderr.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { parseRate, RATE_EXPECTED, type Rate } from '../config-values.ts';
import { ConvertError } from '../errors.ts';
import { createAccessApi } from '../jobs/access.ts';
import { formatRate } from '../units.ts';
import { formatTime } from '../web/admin/format.ts';
import { type Action, Refused, runOnDatabase, say } from './admin.ts';

const USAGE = `usage: ytconv apikey create NAME [--rate COUNT/DURATION|none]
       ytconv apikey list
       ytconv apikey revoke NAME`;

export function runApikey(argv: string[], config: Config): Promise<number> {
  return runOnDatabase('apikey', () => parse(argv, config), config);
}

function parse(argv: string[], config: Config): Action {
  const [action, ...rest] = argv;
  let parsed: { values: { rate?: string | undefined }; positionals: string[] };
  try {
    const options = { rate: { type: 'string' } } as const;
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch {
    throw new Refused(USAGE, 2);
  }
  if (action !== 'create' && parsed.values.rate !== undefined) throw new Refused(USAGE, 2);
  const [name, ...extra] = parsed.positionals;
  if (action === 'list' && name === undefined) return list;
  if (name === undefined || extra.length > 0) throw new Refused(USAGE, 2);
  if (action === 'create') return create(name, rateOption(parsed.values.rate, config));
  if (action === 'revoke') return revoke(name);
  throw new Refused(USAGE, 2);
}

/** A key's own limit on new jobs; by default what one address gets (YTCONV_SUBMIT_RATE). */
function rateOption(text: string | undefined, config: Config): Rate | null {
  if (text === undefined) return config.service.submitRate;
  const parsed = parseRate(text);
  if (parsed === null) throw new Refused(`--rate ${JSON.stringify(text)}: expected ${RATE_EXPECTED}`, 2);
  return parsed.rate;
}

function create(name: string, rate: Rate | null): Action {
  return async (db) => {
    const { key } = await refusedIfInvalid(createAccessApi(db).createKey(name, rate));
    process.stderr.write(
      `Created the API key "${name}" (${formatRate(rate)}). It is shown this once: keep it now.\n` +
        'Send it as the header  Authorization: Bearer KEY\n',
    );
    say(key);
  };
}

async function list(db: Parameters<Action>[0]): Promise<void> {
  const keys = await createAccessApi(db).listKeys();
  if (keys.length === 0) {
    say('No API keys yet. Make one with: ytconv apikey create NAME');
    return;
  }
  const rows = [
    ['ID', 'NAME', 'LIMIT', 'CREATED', 'REVOKED'],
    ...keys.map((k) => [
      k.id,
      k.name,
      formatRate(k.rate),
      formatTime(k.created_at),
      k.revoked_at === null ? '-' : formatTime(k.revoked_at),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  for (const row of rows)
    say(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}

function revoke(name: string): Action {
  return async (db) => {
    if (!(await createAccessApi(db).revokeKey({ name }))) {
      throw new Refused(`there is no unrevoked API key "${name}" (ytconv apikey list shows them)`);
    }
    say(`Revoked the API key "${name}": requests with it are refused from now on.`);
  };
}

/** The service's refusals (a bad name, a name taken) in the CLI's words. */
async function refusedIfInvalid<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof ConvertError) throw new Refused(err.message);
    throw err;
  }
}
