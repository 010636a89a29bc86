/** The service's settings as the rest of ytconv reads them, once config.ts has parsed them. */
import type { AccessMode } from './access.ts';
import type { Rate } from './config-values.ts';

/** How to send email: an SMTP URL or options for nodemailer, or null to print emails to the log. */
export type EmailTransport =
  | string
  | { host: string; port: number; requireTLS: boolean; auth?: { user: string; pass: string } };

/** The web service's and workers' settings; the pipeline never sees these. */
export interface ServiceConfig {
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** A redis-server binary, to start a private Redis when none answers (one-machine installs). */
  readonly redisServer: string | null;
  /** Prefix of every Redis key, so several installations (or test runs) can share one Redis. */
  readonly queuePrefix: string;
  /** SECRET_KEY; null when unset, and the entry point then takes the key kept in `secretKeyFile`. */
  readonly secretKey: string | null;
  /** Where a random key is kept when SECRET_KEY is unset (see secret-key.ts). */
  readonly secretKeyFile: string;
  /** Who may use the page and the API (YTCONV_ACCESS). */
  readonly access: AccessMode;
  /** YTCONV_ADMIN_PASSWORD: the password `ytconv admin create` and `passwd` take instead of asking (scripts). */
  readonly adminPassword: string | null;
  readonly storageDir: string;
  readonly retentionSec: number;
  /** How often a worker looks for expired files to delete. */
  readonly expireEverySec: number;
  readonly workerConcurrency: number;
  /** Jobs one warm yt-dlp process serves before a fresh one replaces it (bounds what it accumulates). */
  readonly ytdlpServerJobs: number;
  /** How long a worker may go silent before its running jobs are given to another worker. */
  readonly stallTimeoutSec: number;
  /** How often lost conversions are looked for (a Redis that lost its data loses its messages). */
  readonly reconcileEverySec: number;
  /** How many times one conversion may be taken by a worker (each worker that died with it used one). */
  readonly maxAttempts: number;
  /** Conversions allowed to wait for a worker; beyond it new work is refused as `busy`. */
  readonly maxQueued: number;
  /** pino's level for the service processes' logs. */
  readonly logLevel: string;
  readonly maxUploadBytes: number;
  /** New jobs one client may submit per window; null for no limit. */
  readonly submitRate: Rate | null;
  /** Looks at a link (GET /api/inspect, a yt-dlp run each) one client may ask for per window; null for no limit. */
  readonly inspectRate: Rate | null;
  /**
   * Whom to believe about the client's address (X-Forwarded-For), as Fastify's `trustProxy`:
   * nobody, every hop, or the proxies at these addresses and CIDR ranges.
   */
  readonly trustProxy: boolean | readonly string[];
  readonly email: { readonly transport: EmailTransport | null; readonly from: string };
  /** The wait before an unsent email is tried again; it doubles with each further try. */
  readonly emailRetryDelaySec: number;
  readonly ytdlpUpdates: YtdlpUpdateSettings;
  /**
   * Sites with a convert queue of their own (yt-dlp extractor names before any `:`), each with the
   * conversions it may start per window across all workers, or null for no limit.
   */
  readonly pace: Readonly<Record<string, Rate | null>>;
  /** How long a site's work waits after it rate-limits this server or shows it the bot wall. */
  readonly pauseSec: number;
  /** Conversions in a row that meet a site's bot wall before its work is paused. */
  readonly botWallsToPause: number;
  /** Where the operator hears of a site paused or a yt-dlp that failed its canary, besides the log. */
  readonly operator: OperatorChannels;
  readonly webhooks: WebhookConfig;
}

/** The webhooks called when jobs end (jobs/webhooks.ts), besides each requester's own. */
export interface WebhookConfig {
  /** YTCONV_WEBHOOK_URL: the operator's, called for every job; null when unset. */
  readonly url: string | null;
  /** YTCONV_WEBHOOK_SECRET: the signing key; null to derive one from SECRET_KEY (secret-key.ts). */
  readonly secret: string | null;
}

/** The operator's channels for notices (jobs/operator-notices.ts); null where none is configured. */
export interface OperatorChannels {
  readonly email: string | null;
  readonly webhook: string | null;
}

/** How the service keeps yt-dlp fresh (src/jobs/ytdlp-updates.ts). */
export interface YtdlpUpdateSettings {
  /** Null when the daily check runs; else why it does not, naming the variable. */
  readonly off: string | null;
  /** Whether a version the service installed may be used at all (not when YTCONV_YTDLP names the file). */
  readonly managed: boolean;
  /** The release folder checked: it serves `SHA2-256SUMS` and `yt-dlp` (the pinned release's when pinned). */
  readonly releases: string;
  readonly pin: string | null;
  /** A link the new yt-dlp must extract before every worker switches to it. */
  readonly canaryUrl: string;
}
