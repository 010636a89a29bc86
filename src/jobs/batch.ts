/**
 * Several links in one submission: each becomes a job of its own, checked like a single
 * submission. A link that is refused (a typo, a site not allowed, the client's limit reached) is
 * reported with its code and message while the others go ahead: one bad line in a pasted list
 * should not cost the rest. What the links share (the options, the email and webhook, how many there
 * are) is checked once, first, and refuses the whole submission, before any job exists.
 */
import { ConvertError } from '../errors.ts';
import { parseSource } from '../pipeline/sources.ts';
import type { Engine } from '../pipeline/types.ts';
import { linksIn, MAX_BATCH_LINKS } from './links.ts';
import { checkFields } from './request.ts';
import type { BatchResult, JobsApi, NewBatch } from './types.ts';

export async function createBatch(
  jobs: Pick<JobsApi, 'create'>,
  batch: NewBatch,
  engine: Engine,
  admit?: () => Promise<void>,
): Promise<BatchResult> {
  const { urls, text, ...fields } = batch;
  if (urls !== undefined && text !== undefined) {
    throw new ConvertError('invalid_option', 'Send the links either as "urls" or as "text", not both.');
  }
  await checkFields(fields, engine);
  const links = sameWorkOnce(urls ?? linksIn(text ?? ''));
  if (links.length === 0) throw new ConvertError('invalid_url', 'No links found: paste one link per line.');
  if (links.length > MAX_BATCH_LINKS) {
    throw new ConvertError(
      'invalid_option',
      `Submit at most ${MAX_BATCH_LINKS} links at a time (this has ${links.length}), so that their jobs fit on one page.`,
    );
  }
  // Together, so that their new work is committed in one batch (see service.ts's group commit).
  const outcomes = await Promise.all(
    links.map((url) =>
      jobs.create({ ...fields, url }, admit).then(
        (job) => ({ job }),
        (err: unknown) => ({ url, error: refusal(err) }),
      ),
    ),
  );
  return {
    jobs: outcomes.flatMap((o) => ('job' in o ? [o.job] : [])),
    refused: outcomes.flatMap((o) => ('error' in o ? [{ url: o.url, error: o.error }] : [])),
  };
}

/** Two spellings of one video (youtu.be and watch?v=) are one link; an unreadable one stays to be refused. */
function sameWorkOnce(links: readonly string[]): string[] {
  const seen = new Set<string>();
  return links.filter((link) => {
    let key = link;
    try {
      const source = parseSource(link, { allowFiles: false });
      if (source.kind === 'url') key = source.canonicalUrl;
    } catch {}
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A refusal is ours to word; anything else is a bug, which fails the request as usual. */
function refusal(err: unknown): ReturnType<ConvertError['toJSON']> {
  if (!(err instanceof ConvertError)) throw err;
  return err.toJSON();
}
