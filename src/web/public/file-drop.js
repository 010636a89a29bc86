/**
 * Without this, a file dropped outside the drop zone is opened by the browser in place of the page
 * (and a dropped link followed). Every drop is the page's: a file goes to the form's file field, when
 * the page has one that is not busy uploading; anything else is ignored, except text into a text field.
 */

/**
 * A drag carrying files (from the desktop), as opposed to text or a link dragged within pages.
 * @param {DragEvent} event
 */
const carriesFiles = (event) => event.dataTransfer?.types.includes('Files') ?? false;

/**
 * Text fields take dropped text (a link dragged into the link field); nothing else on the page does.
 * @param {DragEvent} event
 */
const takesText = (event) =>
  !carriesFiles(event) && event.target instanceof Element && event.target.matches('input, textarea');

/** The form's file field when there is one that can take a file now. */
function readyFileInput() {
  const input = document.getElementById('file');
  return input instanceof HTMLInputElement && !input.disabled ? input : null;
}

/** @param {DragEvent} event */
function onFileDrag(event) {
  if (takesText(event)) return;
  event.preventDefault();
  if (event.dataTransfer) event.dataTransfer.dropEffect = carriesFiles(event) && readyFileInput() ? 'copy' : 'none';
}

/** @param {DragEvent} event */
function onFileDrop(event) {
  if (takesText(event)) return;
  event.preventDefault();
  const input = readyFileInput();
  const file = event.dataTransfer?.files?.[0];
  if (file && input) input.dispatchEvent(new CustomEvent('filedrop', { detail: file }));
}

/** Makes every drag and drop on the page the page's own. */
export function catchFileDrops() {
  document.addEventListener('dragenter', onFileDrag);
  document.addEventListener('dragover', onFileDrag);
  document.addEventListener('drop', onFileDrop);
}
