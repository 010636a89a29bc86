import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_HINTS } from '../../src/error-hints.ts';
import { entryErrorText, errorWords, learnErrorHints } from '../../src/web/public/error-text.js';

describe('the words of an error', () => {
  learnErrorHints(ERROR_HINTS);

  it('leads with the sentence for the code and adds the server’s message when it says more', () => {
    assert.deepEqual(errorWords('not_found', 'No job abc.'), { text: ERROR_HINTS.not_found, detail: 'No job abc.' });
  });

  it('does not repeat the sentence as its own detail', () => {
    assert.deepEqual(errorWords('not_found', ERROR_HINTS.not_found), { text: ERROR_HINTS.not_found, detail: null });
  });

  it('knows the page’s own codes for a request that got no answer', () => {
    assert.match(errorWords('offline', '').text, /Couldn’t reach the ytconv server/);
    assert.match(errorWords('upload_failed', undefined).text, /upload was interrupted/);
  });

  it('shows the server’s message alone for a code it has no sentence for, and a fallback without one', () => {
    assert.deepEqual(errorWords('brand_new_code', 'Something specific.'), {
      text: 'Something specific.',
      detail: null,
    });
    assert.deepEqual(errorWords(undefined, undefined), { text: 'Something went wrong on the server.', detail: null });
  });

  it('prefers a playlist entry’s own message to the code’s sentence', () => {
    assert.equal(
      entryErrorText({ error: { code: 'not_found', message: 'This video is private.' } }),
      'This video is private.',
    );
    assert.equal(entryErrorText({ error: { code: 'not_found', message: '' } }), ERROR_HINTS.not_found);
    assert.equal(entryErrorText({ error: null }), 'This video could not be converted.');
  });
});
