/**
 * The same-origin JSON API: requests, the multipart upload, and errors as one class carrying the
 * API's stable `code`. No DOM, so it can be imported anywhere.
 */

/** @typedef {import('../../jobs/types.ts').JobView} JobView */
/** @typedef {import('../../jobs/types.ts').NewJob} NewJob */
/** @typedef {import('../../jobs/types.ts').NewBatch} NewBatch */
/** @typedef {import('../../jobs/types.ts').BatchResult} BatchResult */
/** @typedef {import('../../jobs/types.ts').LinkPreview} LinkPreview */
/** The fields a job is asked for with (a file goes beside them, never as a path). */
/** @typedef {Omit<NewJob, 'upload'>} JobFields */
/** @typedef {(loaded: number, total: number) => void} OnUploadProgress */

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status; 0 when no answer came.
   * @param {string} code the API's code, or the page's own (`offline`, `upload_failed`, `upload_cancelled`)
   * @param {string} message
   * @param {string | null} [field] the request field at fault, when the server named one
   */
  constructor(status, code, message, field = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/**
 * What a caught value is as far as the page is concerned: an ApiError, or a bug turned into one.
 * @param {unknown} err
 */
export function asApiError(err) {
  return err instanceof ApiError ? err : new ApiError(0, 'internal', err instanceof Error ? err.message : String(err));
}

/** @type {Record<number, string>} */
const CODE_BY_STATUS = { 404: 'not_found', 410: 'expired', 413: 'file_too_large', 503: 'queue_unavailable' };

/**
 * The API's `{"error": {"code", "message", "field"?}}`, or a code guessed from the status when a proxy answered.
 * @param {number} status
 * @param {unknown} body
 */
export function apiError(status, body) {
  const error = /** @type {{ error?: { code?: unknown, message?: string, field?: unknown } } | null} */ (body)?.error;
  if (error && typeof error.code === 'string') {
    return new ApiError(status, error.code, error.message ?? '', typeof error.field === 'string' ? error.field : null);
  }
  const guessed = CODE_BY_STATUS[status];
  return new ApiError(status, guessed ?? 'internal', `The server answered with status ${status}.`);
}

/**
 * @param {string} method
 * @param {string} path
 * @param {object} [body]
 * @returns {Promise<unknown>} the parsed answer, for the caller to type
 */
export async function requestJson(method, path, body) {
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
 * @param {JobFields} fields
 * @param {File} file
 * @param {OnUploadProgress | undefined} onProgress
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<JobView>}
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
      if (event.lengthComputable) onProgress?.(event.loaded, event.total);
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

/** @param {string} id */
const jobUrl = (id) => `/api/jobs/${encodeURIComponent(id)}`;

/** @param {readonly string[]} ids */
const idsQuery = (ids) => `ids=${ids.map(encodeURIComponent).join(',')}`;

export const api = {
  /**
   * @param {JobFields} fields
   * @param {File | null} file
   * @param {OnUploadProgress} [onProgress]
   * @param {AbortSignal} [signal]
   * @returns {Promise<JobView>}
   */
  createJob: (fields, file, onProgress, signal) =>
    file
      ? uploadJob(fields, file, onProgress, signal)
      : /** @type {Promise<JobView>} */ (requestJson('POST', '/api/jobs', fields)),
  /**
   * Several links (pasted text) with the same options: a job each.
   * @param {NewBatch} fields
   * @returns {Promise<BatchResult>}
   */
  createJobs: (fields) => /** @type {Promise<BatchResult>} */ (requestJson('POST', '/api/jobs/batch', fields)),
  /**
   * What one link is (a playlist: its entries, those `items` picks marked chosen), before converting it.
   * @param {string} url
   * @param {string} items
   * @returns {Promise<LinkPreview>}
   */
  inspectLink: (url, items) =>
    /** @type {Promise<LinkPreview>} */ (
      requestJson('GET', `/api/inspect?${new URLSearchParams({ url, ...(items && { items }) })}`)
    ),
  /**
   * @param {readonly string[]} ids
   * @returns {Promise<{ jobs: JobView[] }>}
   */
  listJobs: (ids) => /** @type {Promise<{ jobs: JobView[] }>} */ (requestJson('GET', `/api/jobs?${idsQuery(ids)}`)),
  /** @param {readonly string[]} ids */
  zipOfJobsUrl: (ids) => `/api/jobs/zip?${idsQuery(ids)}`,
  /** @param {string} id */
  getJob: (id) => /** @type {Promise<JobView>} */ (requestJson('GET', jobUrl(id))),
  /** @param {string} id */
  cancelJob: (id) => /** @type {Promise<JobView>} */ (requestJson('DELETE', jobUrl(id))),
  /** @param {string} id */
  eventsUrl: (id) => `${jobUrl(id)}/events`,
  /** @param {string} id */
  zipUrl: (id) => `${jobUrl(id)}/zip`,
};
