import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bookmarklet, sharedLink } from '../../src/web/public/shared-link.js';

describe('a link brought to the page', () => {
  const link = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';
  const cases: [string, { url: string; go: boolean }][] = [
    [`url=${encodeURIComponent(link)}`, { url: link, go: false }],
    [`url=${encodeURIComponent(link)}&go=1`, { url: link, go: true }],
    [`text=${encodeURIComponent(`Look at this ${link} !`)}`, { url: link, go: false }],
    [
      `title=Song&text=${encodeURIComponent(`https://youtu.be/dQw4w9WgXcQ`)}&go=1`,
      { url: 'https://youtu.be/dQw4w9WgXcQ', go: true },
    ],
    ['text=no%20link%20here&go=1', { url: '', go: false }],
    ['', { url: '', go: false }],
  ];
  for (const [query, expected] of cases) {
    it(`reads ?${query || '(nothing)'}`, () => assert.deepEqual(sharedLink(new URLSearchParams(query)), expected));
  }

  it('makes a bookmarklet that opens this server with the tab’s address, started', () => {
    const code = bookmarklet('https://ytconv.example');
    assert.match(code, /^javascript:/);
    const tab = { href: 'https://video.example/watch?v=1&t=2' };
    new Function('location', code.slice('javascript:'.length))(tab);
    const opened = new URL(tab.href);
    assert.equal(opened.origin, 'https://ytconv.example');
    assert.deepEqual(sharedLink(opened.searchParams), { url: 'https://video.example/watch?v=1&t=2', go: true });
  });
});
