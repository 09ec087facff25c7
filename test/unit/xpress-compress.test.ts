/**
 * The XPRESS compressor, checked against a test decoder written from the
 * decoding pseudo-code of [MS-XCA] §2.2.4 (not from the encoder): it loads
 * words exactly when the specification does, so an encoder that places a
 * word or an interleaved byte one slot off fails here. 7-Zip (wim.test.ts)
 * and wimlib (test/wimtools) decode the same output independently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { compressChunk, XpressCompressor } from '../../server/src/package/wim/xpress/compress';
import { HuffmanBuilder } from '../../server/src/package/wim/xpress/huffman';
import { pattern } from '../support/bytes';
import { xpressDecompress, type XpressDecodeStats } from '../support/wimReader';

function roundTrip(data: Buffer, label: string, stats?: XpressDecodeStats): Buffer | undefined {
  const packed = data.length > 32768 ? new XpressCompressor().compress(data) : compressChunk(data);
  if (packed) {
    assert.ok(packed.length < data.length, `${label}: compressed only when smaller`);
    assert.ok(xpressDecompress(packed, data.length, stats).equals(data), `${label}: round trip`);
  }
  return packed;
}

const newStats = (): XpressDecodeStats => ({ maxOffset: 0, lengths: new Set() });

function xmlLike(size: number, seed: number): Buffer {
  const rnd = pattern(size, seed);
  const parts: string[] = ['\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<wap-provisioningdoc>\r\n'];
  let i = 0;
  let len = parts[0]!.length;
  while (len < size) {
    const n = rnd[i++ % rnd.length]!;
    const line = `  <characteristic type="Policy${n % 17}">\r\n    <parm name="Setting${n}" value="${rnd.readUInt16LE(i % (rnd.length - 2))}" datatype="integer" />\r\n  </characteristic>\r\n`;
    parts.push(line);
    len += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

test('edge sizes: empty, 1 byte and tiny inputs are left raw', () => {
  assert.equal(compressChunk(Buffer.alloc(0)), undefined);
  assert.equal(compressChunk(Buffer.from([0x41])), undefined);
  assert.equal(compressChunk(Buffer.from('abcabcabc')), undefined, 'the 256-byte table alone is larger');
});

test('all-same bytes: one long match, far smaller, decodes', () => {
  for (const size of [300, 4096, 32768]) {
    const data = Buffer.alloc(size, 0x61);
    const packed = roundTrip(data, `${size} × 'a'`)!;
    assert.ok(packed, `${size} same bytes compress`);
    assert.ok(packed.length < 256 + 40, `${size} same bytes: ${packed.length} bytes`);
  }
});

test('random bytes do not shrink and come back undefined', () => {
  for (const size of [100, 1000, 32768]) assert.equal(compressChunk(pattern(size, size)), undefined, `${size} random bytes`);
});

test('XML-like text: exactly 32768 bytes and odd sizes round-trip with a good ratio', () => {
  for (const size of [32768, 32767, 1000, 423, 12345]) {
    const data = xmlLike(size, size);
    const packed = roundTrip(data, `xml ${size}`);
    assert.ok(packed, `xml ${size} compresses`);
    if (size === 32768) assert.ok(packed.length < size * 0.2, `ratio ${(packed.length / size).toFixed(3)}`);
  }
});

test('long matches: every length-encoding branch (nibble, one byte, 0xFF + u16) and the longest 65538', () => {
  // A random prefix followed by copies of itself at chosen lengths gives matches
  // of exactly those lengths (the random tail breaks each one).
  // A span of high bytes repeated once among low-entropy letters gives one match of
  // exactly the span's length (lengths 17/18 and 272/273 sit on either side of a branch).
  const letters = (size: number, seed: number) => Buffer.from(pattern(size, seed).map((b) => 0x61 + (b & 15)));
  for (const matchLen of [4, 17, 18, 19, 272, 273, 274, 1000, 30000]) {
    const span = Buffer.from(pattern(matchLen, matchLen).map((b) => b | 0x80));
    const data = Buffer.concat([letters(1500, 1), span, letters(40, 2), span, letters(40, 3)]);
    const stats = newStats();
    roundTrip(data, `match ${matchLen}`, stats);
    assert.ok(stats.lengths.has(matchLen), `a match of length ${matchLen} (saw ${[...stats.lengths].filter((l) => l > 3)})`);
  }
  // 65536 identical bytes: one literal, then one match of 65535 (the most a u16 length holds is 65538).
  const maxRun = Buffer.alloc(65536, 7);
  const stats = newStats();
  const packed = roundTrip(maxRun, 'run of 65536', stats)!;
  assert.ok(packed);
  assert.ok(stats.lengths.has(65535), `saw ${[...stats.lengths]}`);
});

test('offsets in the top class (15 offset bits), as far back as a 65536-byte block allows', () => {
  // A worthwhile match far back needs 4 bytes (3-byte ones that far cost more than
  // literals), so in a 65536-byte block the farthest is 65532 back: the last 4
  // bytes repeating the first 4. WIM chunks (32768) never go past 14 offset bits.
  const marker = Buffer.from([0xf1, 0xf2, 0xf3, 0xf4]);
  const body = pattern(4092, 77); // repeated too, so that the block shrinks at all
  const data = Buffer.concat([marker, body, pattern(65536 - 8 - 2 * 4092, 78), body, marker]);
  assert.equal(data.length, 65536);
  const stats = newStats();
  assert.ok(roundTrip(data, 'far repeats', stats), 'the repeated head makes it shrink');
  assert.equal(stats.maxOffset, 65532);
  assert.throws(() => new XpressCompressor().compress(Buffer.alloc(65537)), /exceeds 65536/);
});

test('mixed content across many seeds round-trips', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const size = 25 + ((seed * 7919) % 32744);
    const rnd = pattern(size, seed);
    // Blend: random spans, repeats at random offsets, runs.
    const data = Buffer.alloc(size);
    let i = 0;
    let r = 0;
    while (i < size) {
      const kind = rnd[r++ % size]! % 3;
      const len = 1 + (rnd[r++ % size]! % 40);
      for (let k = 0; k < len && i < size; k++, i++) {
        if (kind === 0 || i < 300) data[i] = rnd[(r + k) % size]!;
        else if (kind === 1) data[i] = data[i - 1 - (rnd[r % size]! % 299)]!;
        else data[i] = 0x20;
      }
    }
    roundTrip(data, `seed ${seed}`);
  }
});

test('deterministic: the same input always gives the same bytes', () => {
  const data = xmlLike(32768, 5);
  const a = compressChunk(data)!;
  compressChunk(pattern(32768, 9)); // state from another chunk must not leak
  const b = new XpressCompressor().compress(data)!;
  assert.ok(a.equals(b));
});

test('Huffman lengths: complete code, 15-bit limit under skewed (Fibonacci) frequencies', () => {
  const h = new HuffmanBuilder(512);
  const lens = new Uint8Array(512);
  const codes = new Uint16Array(512);
  const freqs = new Uint32Array(512);
  let a = 1;
  let b = 1;
  for (let s = 0; s < 30; s++) {
    freqs[s * 3] = a;
    [a, b] = [b, a + b];
  }
  h.build(freqs, lens, codes);
  let kraft = 0;
  for (let s = 0; s < 512; s++) {
    assert.ok(lens[s]! <= 15);
    assert.equal(lens[s]! > 0, freqs[s]! > 0, `symbol ${s} has a code iff used`);
    if (lens[s]) kraft += 2 ** -lens[s]!;
  }
  assert.equal(kraft, 1, 'complete prefix code');

  // A single used symbol still gets a complete two-codeword code.
  freqs.fill(0);
  freqs[256] = 5;
  h.build(freqs, lens, codes);
  assert.equal(lens[256], 1);
  assert.equal(lens[0], 1);
  assert.equal(
    lens.reduce((s, l) => s + l, 0),
    2,
  );
  assert.notEqual(codes[0], codes[256]);
});
