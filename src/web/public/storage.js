/**
 * What this browser remembers between visits. localStorage can be missing, blocked or full
 * (private windows); every feature using it is optional, so failures are swallowed here.
 */

/** @typedef {Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>} Store */

/** The browser's storage, looked up at each use: merely naming `localStorage` throws where it is blocked. */
/** @type {Store} */
export const browserStore = {
  getItem: (key) => localStorage.getItem(key),
  setItem: (key, value) => localStorage.setItem(key, value),
  removeItem: (key) => localStorage.removeItem(key),
};

/**
 * @template T
 * @param {Store} store
 * @param {string} key
 * @param {T} fallback
 * @returns {unknown} what was stored (to be checked by the caller), else `fallback`
 */
export function readStored(store, key, fallback) {
  try {
    return JSON.parse(store.getItem(key) ?? 'null') ?? fallback;
  } catch {
    return fallback;
  }
}

/**
 * Stores `value` as JSON; null removes the key.
 * @param {Store} store
 * @param {string} key
 * @param {unknown} value
 */
export function writeStored(store, key, value) {
  try {
    if (value === null) store.removeItem(key);
    else store.setItem(key, JSON.stringify(value));
  } catch {
    // Not stored: the page keeps working without a recent list or remembered choices.
  }
}

const PREFS_KEY = 'ytconv.prefs.v1';

/** @typedef {{ format?: string | null, quality?: string | null }} Prefs */

/**
 * The format and quality of the last conversion started here.
 * @param {Store} [store]
 * @returns {Prefs}
 */
export function readPrefs(store = browserStore) {
  const prefs = readStored(store, PREFS_KEY, {});
  return typeof prefs === 'object' && prefs !== null ? prefs : {};
}

/**
 * @param {Prefs} prefs
 * @param {Store} [store]
 */
export function writePrefs(prefs, store = browserStore) {
  writeStored(store, PREFS_KEY, prefs);
}
