/**
 * A size in words, in units of 1024 bytes: "512 KB", "4.2 MB", "35 MB", "1.2 GB". One definition
 * for the server's messages and limits, the CLI, the admin pages and the page (which loads it as
 * one of its modules), so that a limit and the size of a file refused by it use the same units.
 * @param {number} bytes
 * @returns {string}
 */
export function formatBytes(bytes) {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(value < 10 && unit > 0 ? 1 : 0))} ${units[unit]}`;
}
