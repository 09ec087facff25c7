/**
 * The decompressor against the repo's XPRESS compressor
 * (server/src/package/wim/xpress/compress.ts, written separately): every
 * chunk it produces must decode to the original. wimlib's compressor is
 * covered through the fixtures (wim-read-fixtures.test.ts) and, at test
 * time, by test/wimtools/wim-read-wimlib.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compressChunk } from '../../server/src/package/wim/xpress/compress';
import { XpressDecompressor } from '../../server/src/package/wim/xpress/decompress';
import { Prng } from '../reliability/fuzz/prng';
import { pattern } from '../support/bytes';

function xmlLike(n: number, seed: number): Buffer {
  const rng = new Prng(seed);
  const parts = [
    '<characteristic type="',
    'Policy',
    'DeviceLock',
    '"><parm name="',
    'Allow',
    'MinLength',
    '" value="',
    '1',
    '4096',
    '" datatype="integer" /></characteristic>\r\n',
    '  ',
  ];
  let s = '\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n';
  while (s.length < n) s += rng.pick(parts);
  return Buffer.from(s).subarray(0, n);
}

function mixed(n: number, seed: number): Buffer {
  // Installer-like: stretches of random bytes, zeros, repeated records and text.
  const rng = new Prng(seed);
  const out = Buffer.alloc(n);
  let at = 0;
  while (at < n) {
    const len = Math.min(n - at, 1 + rng.int(3000));
    const kind = rng.int(4);
    if (kind === 0) pattern(len, rng.int(1 << 30)).copy(out, at);
    else if (kind === 1) out.fill(0, at, at + len);
    else if (kind === 2) for (let i = 0; i < len; i++) out[at + i] = (i % 16) * 3;
    else xmlLike(len, rng.int(1000)).copy(out, at);
    at += len;
  }
  return out;
}

test('chunks from the repo compressor decode to their input', () => {
  const d = new XpressDecompressor();
  const inputs: Buffer[] = [
    Buffer.from('a'),
    Buffer.from('abcabcabcabcabcabcabc'),
    Buffer.alloc(32768),
    Buffer.alloc(32768, 0xff),
    Buffer.from([...Array(256).keys(), ...Array(256).keys()]),
    xmlLike(32768, 1),
    xmlLike(1000, 2),
    xmlLike(65536, 3),
    mixed(32768, 4),
    mixed(32768, 5),
    pattern(32768, 6),
  ];
  for (let seed = 10; seed < 40; seed++) inputs.push(mixed(1 + new Prng(seed).int(32768), seed));
  let compressed = 0;
  for (const input of inputs) {
    const c = compressChunk(input);
    if (!c) continue; // stored raw by WIM; nothing to decode
    compressed++;
    const out = Buffer.alloc(input.length);
    d.decompress(c, out);
    assert.ok(out.equals(input), `chunk of ${input.length} bytes`);
  }
  // Random stretches make a few chunks incompressible; the rest must have been decoded.
  assert.ok(compressed >= 30, `only ${compressed} of ${inputs.length} inputs compressed`);
});
