/** The admin's yt-dlp panel: the facts `ytconv ytdlp status` prints, above the job list and on the health page. */
import { jsRuntimeText, type YtdlpStatus } from '../../jobs/ytdlp-status.ts';
import { formatTime } from './format.ts';
import { type Html, html } from './html.ts';

export function ytdlpPanel(status: YtdlpStatus): Html {
  const { lastCheck: check, lastCanary: canary } = status;
  const age = status.ageDays === null ? 'age unknown' : `${status.ageDays} days old`;
  return html`<section class="admin-ytdlp" aria-label="yt-dlp">
        <dl>
          <dt>yt-dlp</dt>
          <dd>${status.version ?? 'does not run'} (${age}), ${status.since ? html`installed by ytconv (${status.since.how}) ${formatTime(status.since.at)}` : 'the configured one'}${status.previous && html`; previous ${status.previous}`}</dd>
          ${
            status.version !== null &&
            html`<dt>JS runtime</dt>
          <dd>${jsRuntimeText(status.jsRuntime)}</dd>`
          }
          <dt>Updates</dt>
          <dd>${status.updates}</dd>
          <dt>Last check</dt>
          <dd>${check ? html`${formatTime(check.at)}: ${check.outcome}. ${check.message}` : 'never'}</dd>
          <dt>Last canary</dt>
          <dd>${canary ? html`${formatTime(canary.at)}: yt-dlp ${canary.version} ${canary.passed ? 'passed' : 'failed'}. ${canary.message}` : 'never'}</dd>
        </dl>
      </section>`;
}
