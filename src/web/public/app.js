/**
 * ytconv's browser page: one ES module, no framework, no build step.
 *
 * The server answers both `/` and `/jobs/<id>` with index.html; this module renders the page for
 * `location.pathname` and talks to the same-origin JSON API. Everything is built with DOM calls,
 * never innerHTML, so a video title can never inject markup.
 *
 * Sections, in order: vocabulary · DOM helpers · formatting · API · recent jobs · routing ·
 * home page · job page · start-up.
 */

import { nextRate, secondsLeft } from './upload-rate.js';

// ─── Vocabulary ─────────────────────────────────────────────────────────────────────────────

/**
 * What the server offers and accepts (GET /api/options): formats with their qualities and labels,
 * the defaults, the limits and a sentence per error code. Loaded once at start-up.
 */
let catalog = null;

const PHASES = [
  { id: 'probing', label: 'Reading video info', step: 'Reading info' },
  { id: 'downloading', label: 'Downloading', step: 'Downloading' },
  { id: 'converting', label: 'Converting', step: 'Converting' },
  { id: 'tagging', label: 'Tagging', step: 'Tagging' },
];

const STATUS_LABELS = {
  queued: 'Queued',
  running: 'In progress',
  done: 'Ready',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
  skipped: 'Skipped',
};

const FINAL_STATUSES = new Set(['done', 'failed', 'cancelled']);

/**
 * One sentence per error code: what happened and what the person can do about it. The server's
 * codes come with the catalog; these two are the page's own: the request never got an answer.
 */
const ERROR_TEXT = {
  offline: 'Couldn’t reach the ytconv server. Check your connection and try again.',
  upload_failed:
    'The upload was interrupted. Check your connection; a very large file may also be over the server’s limit.',
};

const POLL_MS = 1000;
const MAX_POLL_MS = 5000;

// ─── DOM helpers ────────────────────────────────────────────────────────────────────────────

/** `h('a', { href, class, testid, onclick }, ...children)`; false/null props and children are skipped. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'testid') el.dataset.testid = value;
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  return el;
}

const ICONS = {
  upload: 'M12 15V4M7.5 8.5 12 4l4.5 4.5M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3',
  download: 'M12 4v11M7.5 10.5 12 15l4.5-4.5M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3',
  music: 'M9 18V5l11-2v13M9 18a3 3 0 1 1-6 0 3 3 0 0 1 6 0Zm11-2a3 3 0 1 1-6 0 3 3 0 0 1 6 0Z',
  file: 'M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5',
  close: 'M6 6l12 12M18 6 6 18',
  link: 'M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1',
  check: 'M5 12.5l4.5 4.5L19 7',
  alert: 'M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0ZM12 7.5V13M12 16.5v.01',
  stop: 'M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0ZM5.6 5.6l12.8 12.8',
  clock: 'M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0ZM12 7v5l3 2',
  back: 'M19 12H5m0 0 6-6m-6 6 6 6',
  archive: 'M3 5h18v4H3zM5 9v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V9M10 13h4',
  retry: 'M20 11a8 8 0 0 0-14.9-3.5M4 4v4h4M4 13a8 8 0 0 0 14.9 3.5M20 20v-4h-4',
};

/** A decorative line icon; the text next to it carries the meaning. */
function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [key, value] of Object.entries({ viewBox: '0 0 24 24', class: 'icon', 'aria-hidden': 'true' })) {
    svg.setAttribute(key, value);
  }
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

/** Screen readers hear status changes from one polite live region, not from every DOM update. */
function announce(message) {
  const region = document.getElementById('announcer');
  // Clearing first makes the same sentence twice in a row (e.g. "Link copied") be read again.
  region.textContent = '';
  requestAnimationFrame(() => {
    region.textContent = message;
  });
}

// ─── Formatting ─────────────────────────────────────────────────────────────────────────────

/** 215 → "3:35", 3725 → "1:02:05". */
function formatDuration(seconds) {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function formatSize(bytes) {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

function formatEta(seconds) {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `about ${s} s left`;
  if (s < 600) return `about ${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s left`;
  if (s < 3600) return `about ${Math.round(s / 60)} min left`;
  return `about ${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min left`;
}

/** "MP3 · 192 kbps" from the measured bitrate in bits per second. */
function formatAudio(format, bitrate) {
  const name = format.toUpperCase();
  return bitrate ? `${name} · ${Math.round(bitrate / 1000)} kbps` : name;
}

/** The catalog's label for a quality ("320 kbps", "V0 · VBR ≈ 245 kbps"), else the value as stored. */
function formatQuality(format, quality) {
  return catalog?.formats.find((f) => f.id === format)?.qualities.find((q) => q.value === quality)?.label ?? quality;
}

const relativeTime = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

function formatAgo(iso) {
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  if (!Number.isFinite(seconds)) return '';
  if (seconds > -60) return 'just now';
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
  ]) {
    if (Math.abs(seconds) >= size) return relativeTime.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

function formatDateTime(iso) {
  return dateTimeFormat.format(new Date(iso));
}

// ─── API ────────────────────────────────────────────────────────────────────────────────────

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The API's `{"error": {"code", "message"}}`, or a code guessed from the status when a proxy answered. */
function apiError(status, body) {
  const error = body?.error;
  if (error && typeof error.code === 'string') return new ApiError(status, error.code, error.message ?? '');
  const guessed = { 404: 'not_found', 410: 'expired', 413: 'file_too_large', 503: 'queue_unavailable' }[status];
  return new ApiError(status, guessed ?? 'internal', `The server answered with status ${status}.`);
}

async function requestJson(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body
        ? { accept: 'application/json', 'content-type': 'application/json' }
        : { accept: 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, 'offline', '');
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw apiError(response.status, data);
  return data;
}

/**
 * Multipart upload through XMLHttpRequest, because fetch cannot report upload progress and a
 * large file can take minutes to send. Fields go before the file so the server can read them
 * without buffering the file. `signal` aborts the request: the server then discards the part it
 * got, and the promise rejects with the code `upload_cancelled`.
 */
function uploadJob(fields, file, onProgress, signal) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
  form.append('file', file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/jobs');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response);
      else reject(apiError(xhr.status, xhr.response));
    });
    // A server that refuses an oversized body often closes the connection mid-upload, which
    // the browser reports as a bare network error.
    xhr.addEventListener('error', () => reject(new ApiError(0, 'upload_failed', '')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'upload_cancelled', '')));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

const api = {
  createJob: (fields, file, onProgress, signal) =>
    file ? uploadJob(fields, file, onProgress, signal) : requestJson('POST', '/api/jobs', fields),
  getJob: (id) => requestJson('GET', `/api/jobs/${encodeURIComponent(id)}`),
  cancelJob: (id) => requestJson('DELETE', `/api/jobs/${encodeURIComponent(id)}`),
  eventsUrl: (id) => `/api/jobs/${encodeURIComponent(id)}/events`,
  zipUrl: (id) => `/api/jobs/${encodeURIComponent(id)}/zip`,
};

/**
 * Follows a job until it reaches a final status. Server-Sent Events first; if the stream is
 * refused or keeps dropping (some proxies buffer or cut it), GET once a second instead, backing
 * off while the server is unreachable. Returns a function that stops following.
 */
function watchJob(id, { onJob, onConnection, onGone }) {
  let stream = null;
  let timer = 0;
  let stopped = false;
  let streamErrors = 0;

  const stop = () => {
    stopped = true;
    stream?.close();
    clearTimeout(timer);
  };
  const receive = (job) => {
    onJob(job);
    if (FINAL_STATUSES.has(job.status)) stop();
  };

  const poll = (delay) => {
    timer = setTimeout(async () => {
      try {
        const job = await api.getJob(id);
        if (stopped) return;
        onConnection(true);
        receive(job);
        if (!stopped) poll(POLL_MS);
      } catch (err) {
        if (stopped) return;
        if (err.status === 404) {
          stop();
          onGone(err);
          return;
        }
        onConnection(false);
        poll(Math.min(Math.max(delay, POLL_MS) * 2, MAX_POLL_MS));
      }
    }, delay);
  };

  if (!('EventSource' in window)) {
    poll(POLL_MS);
    return stop;
  }
  stream = new EventSource(api.eventsUrl(id));
  stream.addEventListener('job', (event) => {
    streamErrors = 0;
    onConnection(true);
    let job;
    try {
      job = JSON.parse(event.data);
    } catch {
      return; // A malformed event is skipped; the next one carries the whole job again.
    }
    receive(job);
  });
  stream.addEventListener('error', () => {
    if (stopped) return;
    streamErrors += 1;
    if (stream.readyState === EventSource.CLOSED || streamErrors >= 3) {
      stream.close();
      poll(0);
    } else {
      // The browser reconnects by itself; meanwhile the page says the view may be stale.
      onConnection(false);
    }
  });
  return stop;
}

// ─── Recent jobs (this browser only) ────────────────────────────────────────────────────────

const RECENT_KEY = 'ytconv.recent.v1';
const PREFS_KEY = 'ytconv.prefs.v1';
const RECENT_MAX = 20;

/** localStorage can be missing or full (private windows); every feature using it is optional. */
function readStored(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

function writeStored(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Not stored: the page keeps working without a recent list or remembered choices.
  }
}

const recent = {
  list() {
    const list = readStored(RECENT_KEY, []);
    return Array.isArray(list) ? list.filter((item) => typeof item?.id === 'string') : [];
  },
  summary(job) {
    return {
      id: job.id,
      title: job.title,
      source: job.source?.url ?? null,
      format: job.options?.format ?? null,
      status: job.status,
      expired: job.expired === true,
      expires_at: job.expires_at ?? null,
      created_at: job.created_at,
    };
  },
  add(job) {
    const others = recent.list().filter((item) => item.id !== job.id);
    writeStored(RECENT_KEY, [recent.summary(job), ...others].slice(0, RECENT_MAX));
  },
  /** Keeps a listed job's title and status current; jobs this browser didn't start stay out. */
  update(job) {
    const list = recent.list();
    const index = list.findIndex((item) => item.id === job.id);
    const summary = recent.summary(job);
    // Called on every progress event: write only when something the list shows changed.
    if (index === -1 || JSON.stringify(list[index]) === JSON.stringify(summary)) return;
    list[index] = summary;
    writeStored(RECENT_KEY, list);
  },
  remove(id) {
    writeStored(
      RECENT_KEY,
      recent.list().filter((item) => item.id !== id),
    );
  },
  clear() {
    writeStored(RECENT_KEY, null);
  },
};

// ─── Routing ────────────────────────────────────────────────────────────────────────────────

/** Cleans up the page being left (closes a job's event stream). */
let leavePage = () => {};

function jobPath(id) {
  return `/jobs/${encodeURIComponent(id)}`;
}

function render() {
  leavePage();
  leavePage = () => {};
  const root = document.getElementById('app');
  root.replaceChildren();
  const jobMatch = /^\/jobs\/([^/]+)\/?$/.exec(location.pathname);
  if (jobMatch) leavePage = renderJobPage(root, decodeURIComponent(jobMatch[1]));
  else if (location.pathname === '/') renderHomePage(root, new URLSearchParams(location.search));
  else renderMissingPage(root);
}

/** Client-side navigation; `state` can carry a job already in hand, to render it without waiting. */
function navigate(url, state = null) {
  history.pushState(state, '', url);
  render();
  window.scrollTo(0, 0);
  // Move focus to the new page's heading so screen readers announce where they are.
  document.querySelector('#app h1')?.focus({ preventScroll: true });
}

function onLinkClick(event) {
  const link = event.target.closest('a[data-nav]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(link.getAttribute('href'));
}

function renderMissingPage(root) {
  document.title = 'Not found — ytconv';
  root.append(
    h(
      'section',
      { class: 'card callout callout--neutral' },
      h('h1', { tabindex: '-1' }, 'This page doesn’t exist'),
      h('p', {}, h('a', { href: '/', 'data-nav': true }, 'Start a new conversion')),
    ),
  );
}

// ─── Home page: the form and the recent list ────────────────────────────────────────────────

function renderHomePage(root, params) {
  document.title = 'ytconv — video links to tagged audio';
  const recentSection = renderRecentSection();
  const form = catalog ? renderConvertForm(initialValues(params)) : renderCatalogMissing();
  root.append(renderIntro(), form, recentSection);
  refreshRecentStatuses(recentSection);
}

function renderIntro() {
  return h(
    'div',
    { class: 'intro' },
    h('h1', { tabindex: '-1' }, 'Turn a video into tagged audio'),
    h(
      'p',
      { class: 'intro__lead' },
      'Paste a YouTube link or playlist, or upload a media file. You get MP3, M4A, Opus, Ogg, FLAC or WAV with title, artist, cover art and chapters.',
    ),
  );
}

/** Form values from "Convert again" links (`/?url=…&format=…`), else the last format used. */
function initialValues(params) {
  const prefs = readStored(PREFS_KEY, {});
  const format = params.get('format') ?? prefs.format;
  const known = catalog.formats.some((f) => f.id === format);
  return {
    url: params.get('url') ?? '',
    format: known ? format : catalog.default_format,
    quality: params.get('quality') ?? (params.has('format') ? null : prefs.quality),
    start: params.get('start') ?? '',
    end: params.get('end') ?? '',
    split_chapters: params.get('split_chapters') === '1',
    normalize: params.get('normalize') === '1',
    email: params.get('email') ?? '',
  };
}

/** A labelled control with room for a hint and an inline error, wired through aria-describedby. */
function field({ id, label, control, hint }) {
  const hintEl = hint ? h('p', { class: 'field__hint', id: `${id}-hint` }, hint) : null;
  const errorEl = h('p', { class: 'field__error', id: `${id}-error`, hidden: true });
  control.id = id;
  control.setAttribute('aria-describedby', [hintEl?.id, errorEl.id].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { class: 'field__label', for: id }, label), control, hintEl, errorEl);
}

function setFieldError(control, message) {
  const errorEl = document.getElementById(`${control.id}-error`);
  errorEl.textContent = message ?? '';
  errorEl.hidden = !message;
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

function renderConvertForm(values) {
  const state = { file: null };
  const form = h('form', { class: 'card convert', novalidate: true, 'aria-label': 'New conversion' });
  // The quality's plan depends on the chosen file; `format` exists by the time a file is chosen.
  const source = renderSourceFields(state, values, () => format.refreshPlan());
  const format = renderFormatFields(values, state);
  const advanced = renderAdvancedFields(values);
  const footer = renderSubmitRow();
  form.append(source.el, format.el, advanced.el, footer.el);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitConversion({ state, source, format, advanced, footer });
  });
  return form;
}

function renderSourceFields(state, values, onFileChange) {
  const url = h('input', {
    type: 'text',
    inputmode: 'url',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    placeholder: 'https://youtu.be/…',
    value: values.url,
    autofocus: true,
    class: 'input input--large',
    testid: 'url-input',
  });
  const urlField = field({ id: 'url', label: 'Video or playlist link', control: url });
  const file = renderFileField(state, (chosen) => {
    // One source at a time: a chosen file takes the link field out of play until it's removed.
    url.disabled = chosen !== null;
    setFieldError(url, null);
    onFileChange();
  });
  const el = h(
    'div',
    { class: 'convert__source' },
    urlField,
    h('div', { class: 'or', 'aria-hidden': 'true' }, h('span', {}, 'or')),
    file.el,
  );
  return { el, url, file: file.input, setUploading: file.setUploading };
}

function renderFileField(state, onChange) {
  const input = h('input', {
    type: 'file',
    id: 'file',
    class: 'visually-hidden',
    accept: 'audio/*,video/*,.mkv,.webm,.m4a,.opus,.flac,.wav,.ogg',
    testid: 'file-input',
    'aria-describedby': 'file-hint file-error',
  });
  const name = h('span', { class: 'file-chip__name' });
  const size = h('span', { class: 'file-chip__size' });
  const remove = h('button', { type: 'button', class: 'button button--ghost button--small' }, icon('close'), 'Remove');
  const chip = h(
    'div',
    { class: 'file-chip', hidden: true },
    h('span', { class: 'file-chip__icon' }, icon('file')),
    h('span', { class: 'file-chip__text' }, name, size),
    remove,
  );
  const prompt = h(
    'div',
    { class: 'dropzone__prompt' },
    h('span', { class: 'dropzone__icon' }, icon('upload')),
    h(
      'p',
      {},
      h('span', { class: 'dropzone__drop' }, 'Drop a media file here, or '),
      h('label', { for: 'file', class: 'dropzone__choose' }, 'choose a file'),
    ),
    h(
      'p',
      { class: 'field__hint', id: 'file-hint' },
      `Any audio or video file, up to ${catalog.limits.max_upload_text}.`,
    ),
  );
  const zone = h('div', { class: 'dropzone' }, input, prompt, chip);
  const errorEl = h('p', { class: 'field__error', id: 'file-error', hidden: true });

  const choose = (file) => {
    // Refused here, before a byte is sent; the server would refuse it only once all of it arrived.
    if (file && file.size > catalog.limits.max_upload_bytes) {
      input.value = '';
      const size = formatSize(file.size);
      const limit = catalog.limits.max_upload_text;
      setFieldError(input, `“${file.name}” is ${size}; this server takes files up to ${limit}. Choose a smaller file.`);
      announce(`${file.name} is too large: the limit is ${limit}.`);
      return;
    }
    state.file = file;
    prompt.hidden = file !== null;
    chip.hidden = file === null;
    zone.classList.toggle('dropzone--chosen', file !== null);
    setFieldError(input, null);
    if (file) {
      name.textContent = file.name;
      size.textContent = formatSize(file.size);
      announce(`Chosen: ${file.name}, ${formatSize(file.size)}`);
    } else {
      input.value = '';
    }
    onChange(file);
  };

  input.addEventListener('change', () => choose(input.files?.[0] ?? null));
  remove.addEventListener('click', () => {
    choose(null);
    input.focus();
  });
  // A file dropped anywhere on the page lands here (see onFileDrop); the zone shows where it goes.
  input.addEventListener('filedrop', (event) => choose(event.detail));
  highlightDrags(zone);
  // While the file goes up it is the upload's: Cancel stops it, Remove or another file would not.
  const setUploading = (uploading) => {
    input.disabled = uploading;
    remove.disabled = uploading;
  };
  return { el: h('div', { class: 'field' }, zone, errorEl), input, setUploading };
}

function highlightDrags(zone) {
  // dragenter/dragleave fire for every child; a counter tells when the pointer really left.
  let depth = 0;
  const setActive = (active) => zone.classList.toggle('dropzone--active', active);
  zone.addEventListener('dragenter', () => {
    depth += 1;
    setActive(true);
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) setActive(false);
  });
  zone.addEventListener('drop', () => {
    depth = 0;
    setActive(false);
  });
}

/** A drag carrying files (from the desktop), as opposed to text or a link dragged within pages. */
const carriesFiles = (event) => event.dataTransfer?.types.includes('Files') ?? false;

/** Text fields take dropped text (a link dragged into the link field); nothing else on the page does. */
const takesText = (event) =>
  !carriesFiles(event) && event.target instanceof Element && event.target.matches('input, textarea');

/**
 * Without this, a file dropped outside the drop zone is opened by the browser in place of the page
 * (and a dropped link followed). Every drop is the page's: a file goes to the form's file field, when
 * the page has one that is not busy uploading; anything else is ignored, except text into a text field.
 */
function onFileDrag(event) {
  if (takesText(event)) return;
  event.preventDefault();
  const input = document.getElementById('file');
  if (event.dataTransfer)
    event.dataTransfer.dropEffect = carriesFiles(event) && input && !input.disabled ? 'copy' : 'none';
}

function onFileDrop(event) {
  if (takesText(event)) return;
  event.preventDefault();
  const input = document.getElementById('file');
  const file = event.dataTransfer?.files?.[0];
  if (file && input && !input.disabled) input.dispatchEvent(new CustomEvent('filedrop', { detail: file }));
}

/** Without the catalog there is no form to build: say why, and offer to try again. */
function renderCatalogMissing() {
  return h(
    'div',
    { class: 'card convert form-error', role: 'alert', testid: 'catalog-missing' },
    icon('alert'),
    h('div', {}, h('p', { class: 'error-text' }, ERROR_TEXT.offline)),
    h('button', { type: 'button', class: 'button', onclick: () => location.reload() }, 'Try again'),
  );
}

function renderFormatFields(values, state) {
  const format = h(
    'select',
    { class: 'input', testid: 'format-select' },
    catalog.formats.map((f) => h('option', { value: f.id }, `${f.label} — ${f.description}`)),
  );
  format.value = values.format;
  const quality = h('select', { class: 'input', testid: 'quality-select' });
  // Shown in the quality control's place, so choosing FLAC or WAV doesn't shift the layout.
  const lossless = h('p', { class: 'input input--static', hidden: true }, 'Lossless: no quality to choose');
  const plan = h('p', { class: 'field__hint', id: 'quality-plan', 'aria-live': 'polite', testid: 'quality-plan' });
  const qualityField = field({ id: 'quality', label: 'Quality', control: quality });
  qualityField.insertBefore(lossless, quality.nextSibling);
  qualityField.insertBefore(plan, lossless.nextSibling);
  quality.setAttribute('aria-describedby', `quality-plan ${quality.getAttribute('aria-describedby')}`);
  // A quality the person picked follows them to another format; the default follows the format.
  let picked = values.quality && values.quality !== catalog.default_quality ? values.quality : null;
  const spec = () => catalog.formats.find((f) => f.id === format.value);
  const refreshPlan = async () => {
    const chosen = { spec: spec(), quality: quality.value, file: state.file };
    const duration = chosen.file ? await mediaDuration(chosen.file) : null;
    // Another choice may have been made while the file was being read.
    if (chosen.spec === spec() && chosen.quality === quality.value && chosen.file === state.file) {
      plan.textContent = qualityPlan(chosen.spec, chosen.quality, chosen.file, duration);
    }
  };
  const sync = () => {
    const { qualities, lossless: isLossless } = spec();
    quality.hidden = isLossless;
    lossless.hidden = !isLossless;
    quality.replaceChildren(...qualityOptions(qualities).flat());
    quality.value = qualities.some((q) => q.value === picked) ? picked : catalog.default_quality;
    refreshPlan();
  };
  sync();
  format.addEventListener('change', sync);
  quality.addEventListener('change', () => {
    picked = quality.value;
    refreshPlan();
  });

  const el = h(
    'div',
    { class: 'convert__format' },
    field({ id: 'format', label: 'Format', control: format }),
    qualityField,
  );
  return { el, format, quality, refreshPlan };
}

/** The catalog's choices, in their groups (constant and variable bitrate); the default says so. */
function qualityOptions(qualities) {
  const option = (q) =>
    h('option', { value: q.value }, q.label + (q.value === catalog.default_quality ? ' · default' : ''));
  const groups = [];
  for (const q of qualities) {
    const last = groups.at(-1);
    if (last && last.label === q.group) last.items.push(q);
    else groups.push({ label: q.group, items: [q] });
  }
  return groups.map((g) => (g.label ? h('optgroup', { label: g.label }, g.items.map(option)) : g.items.map(option)));
}

/**
 * What the chosen quality will do, in a sentence: keep the source's audio, or encode it, and for
 * a chosen file the size to expect (the file's own when it is kept, else bitrate × duration).
 */
function qualityPlan(spec, quality, file, duration) {
  const extension = file?.name.split('.').at(-1)?.toLowerCase();
  const keeps = quality === catalog.default_quality;
  if (file && keeps && spec.extensions.includes(extension)) {
    return `No re-encode: your .${extension} file’s audio is most likely kept as it is (about ${formatSize(file.size)}).`;
  }
  const encodeAt = keeps ? spec.encode_quality : quality;
  const kbps = Number(/^(\d+)k$/.exec(encodeAt ?? '')?.[1]);
  const size = duration && kbps ? ` About ${formatSize((kbps * 1000 * duration) / 8)}.` : '';
  if (!keeps) return `Encodes to ${spec.label} at ${formatQuality(spec.id, quality)}.${size}`;
  if (file) return `Converted to ${spec.label}${encodeAt ? ` at ${formatQuality(spec.id, encodeAt)}` : ''}.${size}`;
  const otherwise = encodeAt ? `encoded at ${formatQuality(spec.id, encodeAt)}` : 'converted';
  return `No re-encode when the source’s audio already is ${spec.label} (no quality lost); otherwise ${otherwise}.`;
}

/** A chosen file's length in seconds, as the browser reads it; null when it cannot tell. */
function mediaDuration(file) {
  return new Promise((resolve) => {
    const media = document.createElement('audio');
    const url = URL.createObjectURL(file);
    const done = (seconds) => {
      URL.revokeObjectURL(url);
      resolve(Number.isFinite(seconds) && seconds > 0 ? seconds : null);
    };
    media.preload = 'metadata';
    media.addEventListener('loadedmetadata', () => done(media.duration));
    media.addEventListener('error', () => done(null));
    media.src = url;
  });
}

function renderAdvancedFields(values) {
  const start = h('input', {
    type: 'text',
    class: 'input',
    placeholder: '0:00',
    autocomplete: 'off',
    value: values.start,
  });
  const end = h('input', { type: 'text', class: 'input', placeholder: 'end', autocomplete: 'off', value: values.end });
  const splitChapters = h('input', { type: 'checkbox', checked: values.split_chapters });
  const normalize = h('input', { type: 'checkbox', checked: values.normalize });
  const email = h('input', {
    type: 'email',
    class: 'input',
    autocomplete: 'email',
    placeholder: 'you@example.com',
    value: values.email,
  });
  const anySet = values.start || values.end || values.split_chapters || values.normalize || values.email;
  const el = h(
    'details',
    { class: 'advanced', open: Boolean(anySet) },
    h('summary', {}, 'Advanced options'),
    h(
      'div',
      { class: 'advanced__body' },
      h(
        'fieldset',
        { class: 'advanced__trim', 'aria-describedby': 'trim-hint' },
        h('legend', { class: 'field__label' }, 'Trim'),
        field({ id: 'start', label: 'Start', control: start }),
        field({ id: 'end', label: 'End', control: end }),
        h(
          'p',
          { class: 'field__hint advanced__trim-hint', id: 'trim-hint' },
          'Seconds (90) or h:mm:ss (1:30). Leave empty for all.',
        ),
      ),
      checkbox('split-chapters', splitChapters, 'Split by chapters', 'One file per chapter, when the video has them.'),
      checkbox('normalize', normalize, 'Normalize loudness (−14 LUFS)', 'Evens out quiet and loud sources.'),
      field({
        id: 'email',
        label: 'Email me the link',
        control: email,
        hint: 'Optional. You get one message when it’s done or fails.',
      }),
    ),
  );
  return { el, start, end, splitChapters, normalize, email };
}

function checkbox(id, input, label, hint) {
  input.id = id;
  input.setAttribute('aria-describedby', `${id}-hint`);
  return h(
    'div',
    { class: 'check' },
    input,
    h('label', { for: id }, h('span', { class: 'check__label' }, label)),
    h('p', { class: 'field__hint check__hint', id: `${id}-hint` }, hint),
  );
}

function renderSubmitRow() {
  const button = h(
    'button',
    { type: 'submit', class: 'button button--primary button--large', testid: 'submit' },
    h('span', { class: 'button__label' }, 'Convert'),
  );
  const upload = h('progress', {
    class: 'upload-progress',
    max: '1',
    value: '0',
    'aria-label': 'Upload',
    hidden: true,
  });
  // Read by screen readers through announceUpload, at a pace they can follow, not at every update.
  const rate = h('span', { class: 'upload-rate', 'aria-hidden': 'true', testid: 'upload-rate', hidden: true });
  const cancel = h(
    'button',
    { type: 'button', class: 'button button--secondary', testid: 'cancel-upload', hidden: true },
    'Cancel upload',
  );
  const error = h('div', { class: 'form-error', role: 'alert', testid: 'error', hidden: true });
  const el = h(
    'div',
    { class: 'convert__footer' },
    error,
    h('div', { class: 'convert__submit' }, upload, rate, cancel, button),
  );
  return { el, button, upload, rate, cancel, error };
}

/** Reads the form, refusing locally what the server would refuse anyway; null when invalid. */
function readForm({ state, source, format, advanced }) {
  const problems = [];
  const url = source.url.value.trim();
  if (!state.file && !url) problems.push([source.url, 'Paste a link, or choose a file below.']);
  const fields = { format: format.format.value };
  if (!state.file) fields.url = url;
  if (!format.quality.hidden) fields.quality = format.quality.value;
  // Times go as typed: the server is the one judge of what a time is (its refusal names the field).
  for (const [name, input] of [
    ['start', advanced.start],
    ['end', advanced.end],
  ]) {
    const text = input.value.trim();
    if (text) fields[name] = text;
  }
  fields.split_chapters = advanced.splitChapters.checked;
  fields.normalize = advanced.normalize.checked;
  const email = advanced.email.value.trim();
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problems.push([advanced.email, 'Enter an email address.']);
  if (email) fields.email = email;

  for (const input of [source.url, advanced.start, advanced.end, advanced.email]) setFieldError(input, null);
  for (const [input, message] of problems) setFieldError(input, message);
  if (problems.length === 0) return fields;
  if (problems.some(([input]) => advanced.el.contains(input))) advanced.el.open = true;
  problems[0][0].focus();
  return null;
}

async function submitConversion(form) {
  const { state, footer, source } = form;
  showFormError(footer, null);
  const fields = readForm(form);
  if (!fields) return;
  setSubmitting(footer, state.file ? 'Uploading…' : 'Starting…');
  const upload = state.file ? startUpload(footer, source) : null;
  try {
    const job = await api.createJob(fields, state.file, upload?.onProgress, upload?.signal);
    recent.add(job);
    writeStored(PREFS_KEY, { format: fields.format, quality: fields.quality ?? null });
    navigate(jobPath(job.id), { job });
  } catch (err) {
    setSubmitting(footer, null);
    if (err.code === 'upload_cancelled') {
      announce('Upload cancelled. Nothing was kept.');
      footer.button.focus();
    } else {
      showFormError(footer, err);
      markRefusedField(form, err.code);
    }
  } finally {
    upload?.end();
  }
}

/** How often screen readers hear the upload's progress. */
const ANNOUNCE_UPLOAD_MS = 15_000;

/** An upload's controls while it runs: the bar, its speed and time left, and Cancel. */
function startUpload(footer, source) {
  const controller = new AbortController();
  let rate = null;
  let announcedAt = Date.now();
  const cancel = () => controller.abort();
  footer.cancel.hidden = false;
  footer.cancel.addEventListener('click', cancel);
  source.setUploading(true);
  return {
    signal: controller.signal,
    onProgress(loaded, total) {
      rate = nextRate(rate, loaded, Date.now());
      const text = uploadRateText(rate, total);
      // Once every byte is sent the server may already be creating the job: too late to call it off.
      footer.cancel.hidden = loaded >= total;
      showUploadProgress(footer, loaded / total, text);
      if (text && Date.now() - announcedAt >= ANNOUNCE_UPLOAD_MS) {
        announcedAt = Date.now();
        announce(`Uploading, ${Math.floor((loaded / total) * 100)}%, ${text}`);
      }
    },
    end() {
      footer.cancel.hidden = true;
      footer.cancel.removeEventListener('click', cancel);
      footer.rate.hidden = true;
      source.setUploading(false);
    },
  };
}

/** "4.2 MB/s · about 12 s left"; null until the speed is known. */
function uploadRateText(rate, total) {
  const left = secondsLeft(rate, total);
  return left === null ? null : `${formatSize(rate.rate)}/s · ${formatEta(left)}`;
}

function setSubmitting(footer, label) {
  footer.button.disabled = label !== null;
  footer.button.setAttribute('aria-busy', String(label !== null));
  footer.button.querySelector('.button__label').textContent = label ?? 'Convert';
  footer.upload.hidden = true;
  if (label) announce(label);
}

function showUploadProgress(footer, fraction, rateText) {
  footer.upload.hidden = false;
  footer.upload.value = fraction;
  footer.rate.hidden = rateText === null;
  footer.rate.textContent = rateText ?? '';
  footer.button.querySelector('.button__label').textContent = `Uploading… ${Math.floor(fraction * 100)}%`;
}

function showFormError(footer, err) {
  footer.error.hidden = !err;
  footer.error.replaceChildren(...(err ? [icon('alert'), h('div', {}, errorParagraphs(err.code, err.message))] : []));
}

/** Points at the field the server refused, so the fix is one keystroke away. */
function markRefusedField({ source, state }, code) {
  if (['invalid_url', 'unsupported_site', 'forbidden_address'].includes(code) && !state.file) {
    source.url.setAttribute('aria-invalid', 'true');
    source.url.focus();
  } else if (code === 'file_too_large') {
    source.file.setAttribute('aria-invalid', 'true');
  }
}

/** The friendly sentence for a code, plus the server's own message, which names the specifics. */
function errorParagraphs(code, message) {
  const text = ERROR_TEXT[code];
  const detail = message && message !== text ? message : null;
  return [
    h('p', { class: 'error-text' }, text ?? message ?? 'Something went wrong on the server.'),
    text && detail ? h('p', { class: 'error-detail' }, detail) : null,
  ];
}

function renderRecentSection() {
  const section = h('section', { class: 'recent', 'aria-labelledby': 'recent-heading', testid: 'recent' });
  fillRecentSection(section);
  return section;
}

function fillRecentSection(section) {
  const items = recent.list();
  const clear = h(
    'button',
    {
      type: 'button',
      class: 'button button--ghost button--small',
      onclick: () => {
        recent.clear();
        fillRecentSection(section);
        section.querySelector('h2').focus();
        announce('Recent conversions cleared');
      },
    },
    'Clear',
  );
  section.replaceChildren(
    h(
      'div',
      { class: 'section-head' },
      h('h2', { id: 'recent-heading', tabindex: '-1' }, 'Recent conversions'),
      items.length > 0 ? clear : null,
    ),
    items.length > 0
      ? h('ul', { class: 'recent__list' }, items.map(renderRecentItem))
      : h('p', { class: 'empty' }, 'Conversions you start in this browser will appear here.'),
  );
}

function renderRecentItem(item) {
  const meta = [item.format?.toUpperCase(), item.created_at ? formatAgo(item.created_at) : null].filter(Boolean);
  return h(
    'li',
    {},
    h(
      'a',
      { class: 'recent__item', href: jobPath(item.id), 'data-nav': true },
      h('span', { class: 'recent__icon' }, icon('music')),
      h(
        'span',
        { class: 'recent__text' },
        h('span', { class: 'recent__title' }, item.title || shortUrl(item.source ?? item.id)),
        h('span', { class: 'recent__meta' }, meta.join(' · ')),
      ),
      statusBadge(item.status, displayStatus(item)),
    ),
  );
}

/** Jobs left running when the page was closed have moved on since; fetch their status once. */
async function refreshRecentStatuses(section) {
  const open = recent.list().filter((item) => !FINAL_STATUSES.has(item.status));
  const results = await Promise.allSettled(open.map((item) => api.getJob(item.id)));
  let changed = false;
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') {
      recent.update(result.value);
      changed = true;
    } else if (result.reason?.status === 404) {
      recent.remove(open[i].id);
      changed = true;
    }
  });
  if (changed && section.isConnected) fillRecentSection(section);
}

/** A job's status as people see it: a done job whose files are gone (or due to be) reads "Expired". */
function displayStatus(job) {
  const due = job.expires_at && Date.parse(job.expires_at) <= Date.now();
  return job.status === 'done' && (job.expired || due) ? 'expired' : job.status;
}

/** `data-status` keeps the API's status for tests and styles; the label may say "Expired". */
function statusBadge(status, label = status, testid = null) {
  return h('span', { class: `badge badge--${label}`, testid, 'data-status': status }, STATUS_LABELS[label] ?? label);
}

// ─── Job page ───────────────────────────────────────────────────────────────────────────────

/** Renders `/jobs/<id>` and follows the job live; returns the clean-up for leaving the page. */
function renderJobPage(root, id) {
  const view = buildJobView(id);
  root.append(view.el);
  document.title = 'Conversion — ytconv';
  let left = false;
  let stopWatching = () => {};
  const handedOver = history.state?.job;
  if (handedOver?.id === id) updateJobView(view, handedOver);

  api
    .getJob(id)
    .then((job) => {
      if (left) return;
      updateJobView(view, job);
      if (FINAL_STATUSES.has(job.status)) return;
      stopWatching = watchJob(id, {
        onJob: (next) => updateJobView(view, next),
        onConnection: (ok) => {
          view.connection.hidden = ok;
        },
        onGone: (err) => showJobMissing(view, err),
      });
    })
    .catch((err) => {
      if (!left) showJobMissing(view, err);
    });

  return () => {
    left = true;
    stopWatching();
  };
}

/** The page's fixed frame; later updates only fill it in, so focus and layout stay put. */
function buildJobView(id) {
  const refs = { id, job: null };
  refs.copy = h(
    'button',
    { type: 'button', class: 'button button--secondary button--small' },
    icon('link'),
    'Copy link',
  );
  refs.copy.addEventListener('click', () => copyLink(refs.copy));
  refs.thumb = h('div', { class: 'thumb is-loading' }, h('span', { class: 'thumb__placeholder' }, icon('music')));
  refs.title = h(
    'h1',
    { class: 'job__title is-loading', id: 'job-title', tabindex: '-1', testid: 'job-title' },
    'Loading…',
  );
  refs.meta = h('p', { class: 'job__meta' });
  refs.status = h('div', { class: 'job__status' });
  refs.connection = h('span', { class: 'connection', hidden: true }, 'Reconnecting…');
  refs.progress = buildProgress(refs);
  refs.result = h('div', { class: 'job__result' });
  refs.entries = h('section', { class: 'card entries', 'aria-label': 'Playlist entries', hidden: true });
  refs.card = h(
    'article',
    { class: 'card job__card', 'aria-labelledby': 'job-title' },
    h(
      'header',
      { class: 'job__header' },
      refs.thumb,
      h(
        'div',
        { class: 'job__heading' },
        refs.title,
        refs.meta,
        h('div', { class: 'job__badges' }, refs.status, refs.connection),
      ),
    ),
    refs.progress.el,
    refs.result,
  );
  refs.el = h(
    'div',
    { class: 'job' },
    h(
      'div',
      { class: 'job__nav' },
      h('a', { href: '/', 'data-nav': true, class: 'back-link' }, icon('back'), 'New conversion'),
      refs.copy,
    ),
    refs.card,
    refs.entries,
  );
  return refs;
}

function buildProgress(refs) {
  const steps = PHASES.map((phase) =>
    h('li', { class: 'step' }, h('span', { class: 'step__dot' }), h('span', { class: 'step__label' }, phase.step)),
  );
  const phase = h('span', { class: 'progress__phase', id: 'phase', testid: 'phase' }, 'Waiting');
  const percent = h('span', { class: 'progress__percent', testid: 'percent' });
  const eta = h('span', { class: 'progress__eta', testid: 'eta' });
  const bar = h('progress', { class: 'bar', max: '1', testid: 'progress', 'aria-labelledby': 'phase' });
  const cancel = h(
    'button',
    { type: 'button', class: 'button button--secondary button--danger', testid: 'cancel' },
    icon('stop'),
    'Cancel',
  );
  cancel.addEventListener('click', () => cancelJob(refs, cancel));
  const el = h(
    'section',
    { class: 'progress', 'aria-label': 'Progress', hidden: true },
    h('ol', { class: 'steps', 'aria-label': 'Steps' }, steps),
    h('div', { class: 'progress__line' }, phase, h('span', { class: 'progress__numbers' }, percent, eta)),
    bar,
    h('div', { class: 'progress__actions' }, cancel),
  );
  return { el, steps, phase, percent, eta, bar, cancel };
}

function updateJobView(view, job) {
  const previous = view.job;
  view.job = job;
  renderJobHeader(view, job);
  renderJobProgress(view.progress, job);
  renderJobResult(view, job, previous);
  renderEntries(view, job);
  announceChange(previous, job);
  recent.update(job);
  document.title = `${pageTitlePrefix(job)}${job.title ?? 'Conversion'} — ytconv`;
}

function pageTitlePrefix(job) {
  if (job.status === 'running' && job.progress !== null) return `${Math.floor(job.progress * 100)}% · `;
  if (job.status === 'done') return '✓ ';
  if (job.status === 'failed') return 'Failed · ';
  return '';
}

function isUpload(job) {
  return job.source?.site === 'upload';
}

function renderJobHeader(view, job) {
  renderThumbnail(view.thumb, job);
  // Until the title is known, the link (or the uploaded file's name) stands in for it.
  const title = job.title ?? shortUrl(job.source?.url ?? 'Conversion');
  if (view.title.textContent !== title) view.title.textContent = title;
  view.title.classList.remove('is-loading');
  view.title.classList.toggle('is-placeholder', job.title === null);
  // Rebuilt only when it changes: progress events arrive several times a second, and replacing
  // the source link each time would take keyboard focus away from it.
  const metaKey = JSON.stringify([job.duration, job.options, job.source]);
  if (view.meta.dataset.key !== metaKey) {
    view.meta.dataset.key = metaKey;
    view.meta.replaceChildren(...jobMeta(job));
  }
  const label = displayStatus(job);
  if (view.status.firstChild?.textContent !== STATUS_LABELS[label]) {
    view.status.replaceChildren(statusBadge(job.status, label, 'job-status'));
  }
}

/**
 * The cover ytconv serves itself (never `job.thumbnail`, the video site's: the viewer's browser
 * contacts only us). Until there is one, the placeholder note shows.
 */
function renderThumbnail(thumb, job) {
  thumb.classList.toggle('is-loading', !job.cover && !FINAL_STATUSES.has(job.status) && job.title === null);
  if (!job.cover) {
    // The job shows no cover any more (it ended without files, or they expired).
    delete thumb.dataset.src;
    thumb.querySelector('img')?.remove();
    return;
  }
  // Each cover URL is tried once: one that failed to load is not asked for again on every update.
  if (thumb.dataset.src === job.cover) return;
  thumb.dataset.src = job.cover;
  const next = h('img', { src: job.cover, alt: '', decoding: 'async', testid: 'cover' });
  // A cover the browser can't load leaves the placeholder note showing instead of a broken image.
  next.addEventListener('error', () => next.remove());
  thumb.querySelector('img')?.remove();
  thumb.append(next);
}

function jobMeta(job) {
  const options = job.options ?? {};
  const parts = [];
  if (job.duration) parts.push(h('span', {}, icon('clock'), formatDuration(job.duration)));
  if (options.format) {
    const lossless = catalog?.formats.find((f) => f.id === options.format)?.lossless;
    const quality = !lossless && options.quality ? formatQuality(options.format, options.quality) : null;
    parts.push(h('span', {}, [options.format.toUpperCase(), quality].filter(Boolean).join(' · ')));
  }
  if (options.start !== null && options.start !== undefined) parts.push(h('span', {}, trimLabel(options)));
  else if (options.end !== null && options.end !== undefined) parts.push(h('span', {}, trimLabel(options)));
  if (options.split_chapters) parts.push(h('span', {}, 'Split by chapters'));
  if (options.normalize) parts.push(h('span', {}, 'Normalized'));
  if (job.source?.url && !isUpload(job)) {
    parts.push(
      h('a', { href: job.source.url, target: '_blank', rel: 'noopener noreferrer' }, siteName(job.source.site)),
    );
  }
  return parts;
}

/** "https://www.youtube.com/watch?v=ID" → "youtube.com/watch?v=ID": the same link, easier to read. */
function shortUrl(url) {
  return url.replace(/^https?:\/\/(www\.)?/, '');
}

function trimLabel({ start, end }) {
  return `Trim ${formatDuration(start ?? 0)}–${end !== null && end !== undefined ? formatDuration(end) : 'end'}`;
}

function siteName(site) {
  if (!site || site === 'generic') return 'Source';
  if (site.startsWith('youtube')) return 'YouTube';
  return site[0].toUpperCase() + site.slice(1);
}

function renderJobProgress(progress, job) {
  const active = !FINAL_STATUSES.has(job.status);
  progress.el.hidden = !active;
  if (!active) return;
  const current = job.status === 'running' ? PHASES.findIndex((p) => p.id === job.phase) : -1;
  progress.steps.forEach((step, i) => {
    // An upload is already here: there is nothing to download.
    step.hidden = PHASES[i].id === 'downloading' && isUpload(job);
    step.className = `step${i < current ? ' step--done' : ''}${i === current ? ' step--current' : ''}`;
    if (i === current) step.setAttribute('aria-current', 'step');
    else step.removeAttribute('aria-current');
  });
  progress.phase.textContent = phaseLabel(job);
  const fraction = job.status === 'running' ? job.progress : null;
  const percent = fraction === null ? '' : `${Math.floor(fraction * 100)}%`;
  const eta = job.status === 'running' && job.eta !== null && job.eta > 0 ? formatEta(job.eta) : '';
  progress.percent.textContent = percent;
  progress.eta.textContent = eta;
  // No value means "indeterminate": the bar shows activity without claiming a number.
  if (fraction === null) progress.bar.removeAttribute('value');
  else progress.bar.value = fraction;
  const valueText = [percent, eta].filter(Boolean).join(', ');
  if (valueText) progress.bar.setAttribute('aria-valuetext', valueText);
  else progress.bar.removeAttribute('aria-valuetext');
  progress.cancel.hidden = false;
}

function phaseLabel(job) {
  if (job.status === 'queued') return 'Waiting for a free worker';
  const phase = PHASES.find((p) => p.id === job.phase);
  if (!phase) return 'Starting';
  const label = phase.id === 'probing' && isUpload(job) ? 'Reading file info' : phase.label;
  const entries = job.entries ?? [];
  const position = entries.findIndex((entry) => entry.status === 'running');
  return position === -1 ? label : `${label} · ${position + 1} of ${entries.length}`;
}

/** The outcome area; rebuilt only when the outcome changes, so a focused button isn't replaced. */
function renderJobResult(view, job, previous) {
  const key = `${job.status}|${job.expired}|${job.files?.length ?? 0}|${job.error?.code ?? ''}`;
  if (view.result.dataset.key === key) return;
  view.result.dataset.key = key;
  view.result.replaceChildren(resultContent(job) ?? '');
  // The cancel button disappears when a job ends; keep keyboard focus inside the page.
  const focusWasLost = document.activeElement === document.body || document.activeElement === view.progress.cancel;
  if (previous && FINAL_STATUSES.has(job.status) && focusWasLost) {
    view.result.querySelector('h2')?.focus({ preventScroll: true });
  }
}

function resultContent(job) {
  if (job.status === 'done' && job.expired) {
    return callout('neutral', 'clock', 'The files of this conversion have expired', [
      h('p', {}, 'Converted files are kept for a limited time. You can convert it again with the same settings.'),
      convertAgainLink(job),
    ]);
  }
  if (job.status === 'done') return renderDownloads(job);
  if (job.status === 'failed') {
    return callout(
      'error',
      'alert',
      'The conversion failed',
      [errorParagraphs(job.error?.code, job.error?.message), keptNote(job), convertAgainLink(job, 'Try again')],
      'error',
    );
  }
  if (job.status === 'cancelled') {
    return callout('neutral', 'stop', 'This conversion was cancelled', [
      keptNote(job) ?? h('p', {}, 'Nothing was kept. You can start it again with the same settings.'),
      convertAgainLink(job),
    ]);
  }
  return null;
}

/** What a playlist that stopped early kept: its finished entries, downloadable below and as a ZIP. */
function keptNote(job) {
  const files = job.expired ? [] : (job.files ?? []);
  if (files.length === 0) return null;
  const entries = job.entries ?? [];
  const done = entries.filter((entry) => entry.status === 'done').length;
  const what = `${done} of ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`;
  return h(
    'div',
    { class: 'kept', testid: 'kept' },
    h('p', {}, `${what} finished before it stopped ${done === 1 ? 'is' : 'are'} kept: download them below.`),
    expiryNote(job),
    files.length > 1 ? zipLink(job) : null,
  );
}

function zipLink(job) {
  return h(
    'a',
    { class: 'button button--primary button--large', href: api.zipUrl(job.id), download: true, testid: 'download-all' },
    icon('archive'),
    'Download all (ZIP)',
  );
}

function callout(tone, iconName, heading, body, testid = null, level = 'h2') {
  return h(
    'section',
    { class: `callout callout--${tone}`, testid },
    h('span', { class: 'callout__icon' }, icon(iconName)),
    h('div', { class: 'callout__body' }, h(level, { tabindex: '-1' }, heading), body),
  );
}

/** Back to the form, filled in with this job's link and options (uploads must be chosen again). */
function convertAgainLink(job, label = 'Convert again') {
  const params = new URLSearchParams();
  if (job.source?.url && !isUpload(job)) params.set('url', job.source.url);
  const options = job.options ?? {};
  if (options.format) params.set('format', options.format);
  if (options.quality) params.set('quality', options.quality);
  if (options.start !== null && options.start !== undefined) params.set('start', trimValue(options.start));
  if (options.end !== null && options.end !== undefined) params.set('end', trimValue(options.end));
  if (options.split_chapters) params.set('split_chapters', '1');
  if (options.normalize) params.set('normalize', '1');
  const query = params.toString();
  return h(
    'a',
    { class: 'button button--secondary', href: query ? `/?${query}` : '/', 'data-nav': true },
    icon('retry'),
    isUpload(job) ? 'Convert another file' : label,
  );
}

/** Whole seconds read best as m:ss; fractions stay exact as plain seconds. */
function trimValue(seconds) {
  return Number.isInteger(seconds) ? formatDuration(seconds) : String(seconds);
}

function renderDownloads(job) {
  const files = job.files ?? [];
  // A playlist's files are shown with their entries, whatever the outcome.
  const inEntries = (job.entries ?? []).length > 0;
  const heading =
    files.length === 0
      ? 'Finished, but no audio came out'
      : files.length === 1
        ? 'Your audio is ready'
        : `${files.length} files are ready`;
  return h(
    'section',
    { class: 'downloads' },
    h(
      'div',
      { class: 'downloads__head' },
      h('span', { class: 'downloads__check' }, icon('check')),
      h('div', {}, h('h2', { tabindex: '-1' }, heading), expiryNote(job)),
    ),
    files.length > 1 ? zipLink(job) : null,
    inEntries
      ? null
      : h(
          'ul',
          { class: 'files' },
          files.map((file) => renderFileRow(file, files.length === 1)),
        ),
  );
}

function expiryNote(job) {
  if (!job.expires_at) return null;
  return h('p', { class: 'muted' }, `Available until ${formatDateTime(job.expires_at)}`);
}

function renderFileRow(file, prominent) {
  const details = [
    formatSize(file.size),
    file.duration ? formatDuration(file.duration) : null,
    formatAudio(file.format, file.bitrate),
  ];
  return h(
    'li',
    { class: `file${prominent ? ' file--single' : ''}` },
    h('span', { class: 'file__icon' }, icon('music')),
    h(
      'span',
      { class: 'file__text' },
      h('span', { class: 'file__name' }, file.name),
      h('span', { class: 'file__meta' }, details.filter(Boolean).join(' · ')),
      file.truncated
        ? h(
            'span',
            { class: 'file__warning', testid: 'truncated' },
            `The file ended at ${formatDuration(file.truncated.at)} of ${formatDuration(file.truncated.of)}: `,
            'this is all the audio it had.',
          )
        : null,
    ),
    downloadLink(file, prominent),
  );
}

function downloadLink(file, prominent) {
  return h(
    'a',
    {
      class: `button ${prominent ? 'button--primary button--large' : 'button--secondary'}`,
      href: file.url,
      download: file.name,
      testid: 'download',
      'aria-label': `Download ${file.name}`,
    },
    icon('download'),
    h('span', {}, 'Download'),
  );
}

function renderEntries(view, job) {
  const entries = job.entries ?? [];
  view.entries.hidden = entries.length === 0;
  if (entries.length === 0) return;
  let list = view.entries.querySelector('ol');
  if (!list || list.children.length !== entries.length) {
    list = h(
      'ol',
      { class: 'entries__list' },
      entries.map(() => h('li', { class: 'entry', testid: 'entry' })),
    );
    view.entries.replaceChildren(
      h('div', { class: 'section-head' }, h('h2', {}, 'Playlist'), h('span', { class: 'entries__count' })),
      list,
    );
  }
  view.entries.querySelector('.entries__count').textContent = entriesCount(entries);
  entries.forEach((entry, i) => {
    renderEntry(list.children[i], entry, i, job);
  });
}

/** `2 of 5 done · 1 failed · 2 skipped`: every outcome counted the same way. */
function entriesCount(entries) {
  const count = (status) => entries.filter((entry) => entry.status === status).length;
  const others = ['failed', 'skipped'].filter((status) => count(status) > 0).map((s) => `${count(s)} ${s}`);
  return [`${count('done')} of ${entries.length} done`, ...others].join(' · ');
}

/** One playlist row; its DOM is replaced only when what it shows changed. */
function renderEntry(row, entry, index, job) {
  const files = entry.files ?? [];
  const progress = entry.status === 'running' && entry.progress !== null ? Math.floor(entry.progress * 100) : null;
  const key = JSON.stringify([
    entry.title,
    entry.status,
    progress,
    entry.error?.message,
    files.map((f) => f.url),
    job.expired,
  ]);
  if (row.dataset.key === key) return;
  row.dataset.key = key;
  row.className = `entry entry--${entry.status}`;
  row.dataset.status = entry.status;
  const bar =
    entry.status === 'running'
      ? h('progress', {
          class: 'bar bar--small',
          max: '100',
          value: progress,
          'aria-label': `${entry.title ?? 'Entry'} progress`,
        })
      : null;
  const error = entry.status === 'failed' ? h('p', { class: 'entry__error' }, entryError(entry)) : null;
  row.replaceChildren(
    h('span', { class: 'entry__index' }, String(index + 1)),
    h(
      'div',
      { class: 'entry__main' },
      h('span', { class: 'entry__title' }, entry.title ?? `Video ${index + 1}`),
      files.length > 0 ? h('span', { class: 'entry__meta' }, files.map(fileSummary).join(', ')) : null,
      bar,
      error,
    ),
    h('div', { class: 'entry__side' }, entrySide(entry, files, job, progress)),
  );
}

/** A row's right side: its downloads when ready, its percentage while running, else its status. */
function entrySide(entry, files, job, progress) {
  if (files.length > 0 && !job.expired) return files.map((file) => downloadLink(file, false));
  if (progress !== null) return h('span', { class: 'entry__percent' }, `${progress}%`);
  return statusBadge(entry.status);
}

function fileSummary(file) {
  return [formatSize(file.size), file.duration ? formatDuration(file.duration) : null].filter(Boolean).join(' · ');
}

/** The server's own words for this entry ("This video is private."), which say more than the code's. */
function entryError(entry) {
  return entry.error?.message || ERROR_TEXT[entry.error?.code] || 'This video could not be converted.';
}

/** Tells screen-reader users what changed: each status, each new phase, never each percent. */
function announceChange(previous, job) {
  if (previous?.status === job.status && previous?.phase === job.phase) return;
  if (job.status === 'running') announce(phaseLabel(job));
  else if (job.status === 'done' && !job.expired) {
    const count = job.files?.length ?? 0;
    announce(`Conversion finished. ${count === 1 ? 'Your file is' : `${count} files are`} ready to download.`);
  } else if (job.status === 'failed') announce(`Conversion failed. ${ERROR_TEXT[job.error?.code] ?? ''}`);
  else if (job.status === 'cancelled') announce('Conversion cancelled.');
  else if (job.status === 'queued') announce('Waiting for a free worker.');
}

async function cancelJob(view, button) {
  button.disabled = true;
  try {
    updateJobView(view, await api.cancelJob(view.id));
  } catch (err) {
    // Most likely the job just finished on its own; show its real state.
    announce(ERROR_TEXT[err.code] ?? 'The job could not be cancelled.');
    api.getJob(view.id).then(
      (job) => updateJobView(view, job),
      () => {},
    );
  } finally {
    button.disabled = false;
  }
}

/** The job can't be loaded: gone (404), or the server is unreachable, which a reload may fix. */
function showJobMissing(view, err) {
  const gone = err.status === 404;
  view.copy.hidden = true;
  view.entries.hidden = true;
  const action = gone
    ? h('a', { class: 'button button--secondary', href: '/', 'data-nav': true }, 'Start a new conversion')
    : h('button', { type: 'button', class: 'button button--secondary', onclick: render }, icon('retry'), 'Try again');
  view.card.replaceChildren(
    callout(
      'neutral',
      'alert',
      gone ? 'Conversion not found' : 'This conversion can’t be shown right now',
      [errorParagraphs(err.code, err.message), action],
      'error',
      'h1',
    ),
  );
  view.card.classList.add('job__card--message');
  if (gone) recent.remove(view.id);
  document.title = `${gone ? 'Not found' : 'Unavailable'} — ytconv`;
}

/** Copies the page's address; plain-http installs have no Clipboard API, so fall back to a selection copy. */
async function copyLink(button) {
  const url = location.href;
  let copied = false;
  try {
    await navigator.clipboard.writeText(url);
    copied = true;
  } catch {
    const area = h('textarea', { class: 'visually-hidden', readonly: true });
    area.value = url;
    document.body.append(area);
    area.select();
    copied = document.execCommand('copy');
    area.remove();
  }
  if (!copied) {
    window.prompt('Copy this link:', url);
    return;
  }
  announce('Link copied');
  button.classList.add('is-copied');
  button.lastChild.textContent = 'Copied';
  setTimeout(() => {
    button.classList.remove('is-copied');
    button.lastChild.textContent = 'Copy link';
  }, 2000);
}

// ─── Start-up ───────────────────────────────────────────────────────────────────────────────

/** The catalog first (the form is built from it); without it, job pages still work. */
async function start() {
  try {
    catalog = await requestJson('GET', '/api/options');
    Object.assign(ERROR_TEXT, catalog.error_hints);
  } catch {
    catalog = null;
  }
  document.addEventListener('click', onLinkClick);
  document.addEventListener('dragenter', onFileDrag);
  document.addEventListener('dragover', onFileDrag);
  document.addEventListener('drop', onFileDrop);
  window.addEventListener('popstate', render);
  render();
}

start();
