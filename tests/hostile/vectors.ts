import { HOSTILE_LINKS, HOSTILE_TEXT } from '@wire/text/testing';

/**
 * The attack vectors of the hostile suite, as data. Each list is used systematically by
 * `corpus.ts` (vector × field × format); adding a vector here adds its cases everywhere it applies.
 */

/** Script and mXSS vectors (the shared list of `@wire/text/testing`), for plain-text and HTML fields. */
export const SCRIPT_VECTORS: readonly string[] = HOSTILE_TEXT;

/** Links no story may carry, in every spelling a browser would still act on. */
export const LINK_VECTORS: readonly string[] = [
  ...HOSTILE_LINKS,
  'data:text/html,<script>alert(1)</script>',
  'data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+',
  'DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'javascript://%0aalert(1)',
  'javascript&NewLine;:alert(1)',
  '&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)',
  '\u2028javascript:alert(1)',
  'jav&#x09;ascript:alert(1)',
  'vbscript&colon;msgbox(1)',
  'blob:https://evil.example/uuid',
  'filesystem:https://evil.example/temporary/x',
  'jar:https://evil.example/a.jar!/x',
  'java%0ascript:alert(1)',
  'ms-its:mhtml:file://C:/x.mht!https://evil.example/x',
];

/**
 * The same loopback address in every spelling a URL parser or `getaddrinfo` turns into it. The
 * suite runs an HTTP server on `127.0.0.1` and `::1` at `port` that must see no connection at all:
 * the network guard refusing these is checked from the outside.
 */
export function loopbackSpellings(port: number): string[] {
  return [
    `http://127.0.0.1:${port}/a.jpg`,
    `http://127.1:${port}/a.jpg`,
    `http://127.0.1:${port}/a.jpg`,
    `http://2130706433:${port}/a.jpg`,
    `http://0x7f000001:${port}/a.jpg`,
    `http://0x7f.0x0.0x0.0x1:${port}/a.jpg`,
    `http://0177.0.0.1:${port}/a.jpg`,
    `http://017700000001:${port}/a.jpg`,
    `http://127.000.000.001:${port}/a.jpg`,
    `http://0x7f.1:${port}/a.jpg`,
    `http://127.0.0.1.:${port}/a.jpg`,
    `http://%31%32%37.0.0.1:${port}/a.jpg`,
    `http://\u2460\u2461\u2466.0.0.1:${port}/a.jpg`,
    `http://[::1]:${port}/a.jpg`,
    `http://[::ffff:127.0.0.1]:${port}/a.jpg`,
    `http://[::ffff:7f00:1]:${port}/a.jpg`,
    `http://[0:0:0:0:0:ffff:127.0.0.1]:${port}/a.jpg`,
    `http://[::]:${port}/a.jpg`,
    `http://localhost:${port}/a.jpg`,
    `http://LOCALHOST:${port}/a.jpg`,
    `http://localhost.:${port}/a.jpg`,
    `http://0.0.0.0:${port}/a.jpg`,
    `http://0:${port}/a.jpg`,
    `http://evil.example@127.0.0.1:${port}/a.jpg`,
    `http://127.0.0.1:${port}\\@evil.example/a.jpg`,
    `http://127.0.0.1:${port}/a.jpg#@evil.example`,
    `https://127.0.0.1:${port}/a.jpg`,
    `HTTP://127.0.0.1:${port}/a.jpg`,
  ];
}

/** Private, link-local, metadata and other addresses no image download may reach (not observable from here). */
export const PRIVATE_URLS: readonly string[] = [
  'http://10.0.0.1/a.jpg',
  'http://172.16.0.1/a.jpg',
  'http://192.168.1.1/a.jpg',
  'http://100.64.0.1/a.jpg',
  'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'http://[fd00:ec2::254]/latest/meta-data/',
  'http://100.100.100.200/latest/meta-data/',
  'http://168.63.129.16/machine',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://metadata/computeMetadata/v1/',
  'http://instance-data/latest/meta-data/',
  'http://[fd00::1]/a.jpg',
  'http://[fe80::1%25eth0]/a.jpg',
  'http://[::ffff:a9fe:a9fe]/latest/meta-data/',
  'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/',
  'http://[2002:a9fe:a9fe::]/latest/meta-data/',
  'http://0xa9fea9fe/latest/meta-data/',
  'http://2852039166/latest/meta-data/',
  'http://224.0.0.1/a.jpg',
  'http://255.255.255.255/a.jpg',
  'http://198.18.0.1/a.jpg',
  'http://192.0.2.1/a.jpg',
];
