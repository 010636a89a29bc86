import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostForbidden, isForbiddenAddress } from '../../src/pipeline/address.ts';

const FORBIDDEN = [
  // IPv4 special-purpose ranges, at their edges
  '0.0.0.0',
  '0.255.255.255',
  '10.0.0.1',
  '10.255.255.255',
  '100.64.0.1',
  '100.127.255.254',
  '127.0.0.1',
  '127.255.255.254',
  '169.254.169.254',
  '172.16.0.1',
  '172.31.255.255',
  '192.0.0.8',
  '192.0.2.1',
  '192.88.99.1',
  '192.168.1.1',
  '198.18.0.1',
  '198.19.255.255',
  '198.51.100.7',
  '203.0.113.9',
  '224.0.0.1',
  '239.255.255.250',
  '240.0.0.1',
  '255.255.255.255',
  // IPv6 special-purpose ranges
  '::',
  '::1',
  '0:0:0:0:0:0:0:1',
  '100::1',
  '2001::1',
  '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  '2001:db8::1',
  '2001:DB8:85A3::8A2E:370:7334',
  '3fff::1',
  '5f00::1',
  'fc00::1',
  'fd12:3456:789a::1',
  'fe80::1',
  'fe80::1%eth0',
  'febf:ffff::1',
  'fec0::1',
  'ff02::1',
  'ff0e::101',
  '64:ff9b:1::1',
  // IPv4 inside IPv6, judged by the IPv4
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '0:0:0:0:0:ffff:7f00:1',
  '::FFFF:10.0.0.1',
  '::ffff:169.254.169.254',
  '::127.0.0.1',
  '::7f00:1',
  '64:ff9b::127.0.0.1',
  '64:ff9b::a00:1',
  '2002:7f00:1::1',
  '2002:c0a8:101::',
  // Not addresses at all: refused rather than guessed at
  '',
  'localhost',
  '0x7f.1',
  '0177.0.0.1',
  '127.1',
  '2130706433',
  '[::1]',
  '1.2.3.4 ',
];

const ALLOWED = [
  '8.8.8.8',
  '1.1.1.1',
  '9.255.255.255',
  '11.0.0.1',
  '100.63.255.255',
  '100.128.0.1',
  '172.15.255.255',
  '172.32.0.1',
  '192.0.3.1',
  '192.167.255.255',
  '192.169.0.1',
  '198.17.255.255',
  '198.20.0.1',
  '223.255.255.255',
  '2606:4700::1111',
  '2606:4700:4700::1111',
  '2a00:1450:4001:82b::200e',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8',
  '::ffff:808:808',
  '::8.8.8.8',
  '64:ff9b::8.8.8.8',
  '2002:808:808::1',
];

describe('isForbiddenAddress', () => {
  for (const ip of FORBIDDEN) {
    it(`forbids ${JSON.stringify(ip)}`, () => assert.equal(isForbiddenAddress(ip), true));
  }
  for (const ip of ALLOWED) {
    it(`allows ${ip}`, () => assert.equal(isForbiddenAddress(ip), false));
  }
});

describe('hostForbidden', () => {
  // Spellings as typed in a link; the WHATWG parser turns them into the hostname we judge.
  const URL_CASES: readonly [url: string, expected: boolean | null][] = [
    ['http://127.0.0.1/', true],
    ['http://2130706433/', true],
    ['http://0x7f.1/', true],
    ['http://0x7f000001/', true],
    ['http://0177.0.0.1/', true],
    ['http://0177.1/', true],
    ['http://127.1/', true],
    ['http://127.0.0.1./', true],
    ['http://0/', true],
    ['http://0xa9fea9fe/', true],
    ['http://[::1]/', true],
    ['http://[0:0:0:0:0:0:0:1]:8080/', true],
    ['http://[::ffff:127.0.0.1]/', true],
    ['http://[::ffff:7f00:1]/', true],
    ['http://[::]/', true],
    ['http://[fe80::1]/', true],
    ['http://[fd00::1]/', true],
    ['http://134744072/', false],
    ['http://8.8.8.8/', false],
    ['http://0x8.0x8.0x8.0x8/', false],
    ['https://[2606:4700::1111]/', false],
    ['https://[::ffff:8.8.8.8]/', false],
    // RFC 6761: localhost and every name under it are loopback, without asking DNS.
    ['https://localhost/', true],
    ['https://LOCALHOST./', true],
    ['https://hooks.localhost/', true],
    ['https://localhost.example/', null],
    ['https://notlocalhost/', null],
    ['https://www.youtube.com/', null],
    ['https://127.0.0.1.nip.io/', null],
  ];
  for (const [url, expected] of URL_CASES) {
    const hostname = new URL(url).hostname;
    const verdict = expected === null ? 'needs DNS for' : expected ? 'forbids' : 'allows';
    it(`${verdict} ${url} (hostname ${hostname})`, () => assert.equal(hostForbidden(hostname), expected));
  }

  it('judges literals with an injected predicate', () => {
    const only127002Public = (ip: string) => ip !== '127.0.0.2';
    assert.equal(hostForbidden('127.0.0.2', only127002Public), false);
    assert.equal(hostForbidden('127.0.0.1', only127002Public), true);
    assert.equal(hostForbidden('example.com', only127002Public), null);
  });
});
