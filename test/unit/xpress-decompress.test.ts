/**
 * XPRESS (MS-XCA LZ77+Huffman) decompressor: exact streams from a test
 * encoder (every match-length form, every offset width, codewords up to 15
 * bits), and every way a chunk can be invalid. Real wimlib-compressed chunks
 * are decoded through the WIM reader in wim-read-fixtures.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { XpressDecompressError, XpressDecompressor, xpressDecompress } from '../../server/src/package/wim/xpress/decompress';
import { Prng } from '../reliability/fuzz/prng';
import { encodeXpress, expandTokens, greedyTokens, matchSymbol, type XpressToken } from '../reliability/wimfuzz/xpressEncode';
import { pattern } from '../support/bytes';

function roundTrip(tokens: XpressToken[], opts?: Parameters<typeof encodeXpress>[1]): void {
  const expected = expandTokens(tokens);
  const compressed = encodeXpress(tokens, opts);
  assert.deepEqual(xpressDecompress(compressed, expected.length), expected);
}

function text(n: number, seed: number): Buffer {
  const words = ['Provisioning', 'RunTime', 'characteristic', 'parm', 'name', '=', '"', 'value', '<', '>', '/', ' ', '\r\n', 'Policy', 'DataAsset'];
  const rng = new Prng(seed);
  let s = '';
  while (s.length < n) s += rng.pick(words);
  return Buffer.from(s.slice(0, n), 'latin1');
}

test('literals only, every byte value', () => {
  roundTrip([...Array(256).keys(), ...Array(256).keys()].reverse());
});

test('greedy LZ77 of text, of random data and of a run, up to a full 64 KiB chunk', () => {
  for (const data of [text(32768, 1), pattern(32768, 2), Buffer.alloc(32768, 7), text(65536, 3), text(1, 4), text(3, 5)]) {
    const tokens = greedyTokens(data);
    const compressed = encodeXpress(tokens);
    assert.deepEqual(xpressDecompress(compressed, data.length), data);
  }
});

test('every match-length encoding: 4-bit header, extra byte, extra 16-bit length', () => {
  // 3..17 fit the header; 18..272 take one byte; 273+ take 0xFF and a u16 (up to 65535 + 3).
  for (const length of [3, 4, 17, 18, 19, 271, 272, 273, 274, 1000, 32767, 65535]) {
    roundTrip([0x41, 0x42, { length, offset: 1 }, 0x43]);
    roundTrip([0x41, 0x42, 0x43, { length, offset: 2 }]);
  }
});

test('every offset width 0..15 bits, overlapping and not, on a 64 KiB window', () => {
  const base = [...pattern(65536 - 20000, 9)];
  for (let log2 = 0; log2 <= 15; log2++) {
    for (const offset of [1 << log2, (1 << (log2 + 1)) - 1].filter((o) => o <= base.length)) {
      for (const length of [3, 20, Math.min(offset + 5, 19000)]) {
        roundTrip([...base, { length, offset }]);
      }
    }
  }
});

test('overlapping matches of every short period', () => {
  for (let offset = 1; offset <= 40; offset++) {
    const prefix = [...pattern(offset, offset)];
    roundTrip([...prefix, { length: 500, offset }, { length: 37, offset }]);
  }
});

/** Lengths giving `chosen` their lengths and filling the rest of the code space with other symbols. */
function completeWith(chosen: Map<number, number>): Uint8Array {
  const lens = new Uint8Array(512);
  let used = 0;
  for (const [sym, len] of chosen) {
    lens[sym] = len;
    used += 1 << (15 - len);
  }
  let remaining = (1 << 15) - used;
  let sym = 0;
  for (let bit = 14; bit >= 0; bit--) {
    if (!(remaining & (1 << bit))) continue;
    while (chosen.has(sym)) sym++;
    lens[sym++] = 15 - bit;
    remaining -= 1 << bit;
  }
  assert.equal(remaining, 0);
  return lens;
}

test('codewords of 12 to 15 bits (the second-level table) decode', () => {
  const tokens: XpressToken[] = [0x10, 0x20, 0x30, { length: 5, offset: 2 }, 0x40, { length: 300, offset: 1 }, 0x10, 0x20];
  const chosen = new Map<number, number>([
    [0x10, 15],
    [0x20, 15],
    [0x30, 14],
    [0x40, 12],
    [matchSymbol(5, 2), 13],
    [matchSymbol(300, 1), 15],
    [256, 15],
  ]);
  const lens = completeWith(chosen);
  assert.equal(Math.max(...lens), 15);
  roundTrip(tokens, { lens });
  // Half the literals on 10-bit codewords, half on 15-bit ones: most lookups take the subtable.
  const literals: XpressToken[] = [...Array(400).keys()].map((i) => (i * 7) % 200);
  roundTrip(literals, { lens: completeWith(new Map([...Array(200).keys()].map((s) => [s, s < 100 ? 10 : 15]))), endOfData: false });
});

test('decodes into the middle of a buffer and writes nothing outside its range', () => {
  const data = text(5000, 11);
  const compressed = encodeXpress(greedyTokens(data));
  const out = Buffer.alloc(7000, 0xee);
  new XpressDecompressor().decompress(compressed, out, 1000, data.length);
  assert.deepEqual(out.subarray(1000, 6000), data);
  assert.ok(out.subarray(0, 1000).every((b) => b === 0xee));
  assert.ok(out.subarray(6000).every((b) => b === 0xee));
});

test('one decompressor decodes many chunks with different codes', () => {
  const d = new XpressDecompressor();
  for (let i = 0; i < 20; i++) {
    const data = i % 2 ? text(3000 + i, i) : pattern(3000 + i, i);
    const out = Buffer.alloc(data.length);
    d.decompress(encodeXpress(greedyTokens(data)), out);
    assert.deepEqual(out, data);
  }
});

function rejects(input: Uint8Array, size: number, message: RegExp, outStart = 0): void {
  const out = Buffer.alloc(outStart + size);
  assert.throws(
    () => new XpressDecompressor().decompress(input, out, outStart, size),
    (err: unknown) => err instanceof XpressDecompressError && message.test(err.message),
  );
}

test('rejects an over-subscribed code', () => {
  const input = Buffer.alloc(300);
  input.fill(0x11, 0, 256); // every symbol 1 bit long
  rejects(input, 10, /over-subscribed/);
});

test('rejects an incomplete code and an empty one', () => {
  const one = Buffer.alloc(300);
  one[0] = 0x01; // symbol 0: 1 bit, nothing else
  rejects(one, 10, /incomplete/);
  const almost = Buffer.from(encodeXpress([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  // Drop one codeword of a complete code.
  const lens = [...almost.subarray(0, 256)].flatMap((b) => [b & 15, b >> 4]);
  const victim = lens.findIndex((l) => l > 0);
  almost[victim >> 1] &= victim & 1 ? 0x0f : 0xf0;
  rejects(almost, 9, /incomplete/);
  rejects(Buffer.alloc(400), 10, /empty/);
});

test('rejects a chunk shorter than its code-length table', () => {
  rejects(Buffer.alloc(255), 10, /shorter than its 256-byte/);
});

test('rejects a match that reaches before the start of the chunk', () => {
  rejects(encodeXpress([{ length: 3, offset: 1 }]), 3, /before the start of the chunk/);
  rejects(encodeXpress([1, 2, 3, { length: 3, offset: 4 }]), 6, /before the start of the chunk/);
  // Even when the bytes before the chunk are in the same output buffer.
  rejects(encodeXpress([1, 2, 3, { length: 3, offset: 4 }]), 6, /before the start of the chunk/, 100);
});

test('rejects a match that runs past the declared chunk size', () => {
  rejects(encodeXpress([1, 2, { length: 50, offset: 1 }]), 40, /runs past the chunk's 40 bytes/);
});

test('rejects a stream that ends before the declared size (underrun)', () => {
  const data = text(4000, 21);
  const compressed = encodeXpress(greedyTokens(data), { endOfData: false });
  rejects(compressed, 4100, /ends before|runs past|before the start/);
  // Cut short: every cut point fails, none reads out of bounds.
  for (let cut = 256; cut < compressed.length - 4; cut += 97) rejects(compressed.subarray(0, cut), data.length, /./);
});

test('rejects a 16-bit match length below 15', () => {
  const good = encodeXpress([0x41, { length: 273, offset: 1 }]); // 0xFF then u16 270 = 0x010E
  assert.deepEqual(xpressDecompress(good, 274), expandTokens([0x41, { length: 273, offset: 1 }]));
  const at = good.indexOf(Buffer.from([0xff, 0x0e, 0x01]), 256);
  assert.ok(at > 256 && good.indexOf(Buffer.from([0xff, 0x0e, 0x01]), at + 1) < 0);
  const bad = Buffer.from(good);
  bad[at + 1] = 5;
  bad[at + 2] = 0;
  rejects(bad, 274, /match length field 5 is invalid/);
  bad[at + 1] = 0; // MS-XCA would read a 32-bit length next: never in a WIM chunk
  rejects(bad, 274, /match length field 0 is invalid/);
});

test('rejects an output range outside the buffer', () => {
  assert.throws(() => new XpressDecompressor().decompress(Buffer.alloc(300), Buffer.alloc(10), 5, 6), RangeError);
});

test('mutated and random chunks: only XpressDecompressError, never a write outside the range', () => {
  const rng = new Prng(0x5eed);
  const d = new XpressDecompressor();
  const seeds = [text(6000, 31), pattern(3000, 32), Buffer.alloc(5000, 1)].map((data) => ({ data, compressed: encodeXpress(greedyTokens(data)) }));
  let decodedOk = 0;
  for (let i = 0; i < 3000; i++) {
    const { data, compressed } = rng.pick(seeds);
    const input = Buffer.from(compressed);
    const kind = rng.int(4);
    if (kind === 0) for (let k = 0; k < 1 + rng.int(4); k++) input[256 + rng.int(input.length - 256)] ^= 1 << rng.int(8);
    else if (kind === 1) input[rng.int(256)] = rng.int(256);
    else if (kind === 2) for (let k = 256; k < input.length; k++) input[k] = rng.int(256);
    const size = kind === 3 ? 1 + rng.int(data.length * 2) : data.length;
    const out = Buffer.alloc(size + 64, 0xa5);
    try {
      d.decompress(input, out, 32, size);
      decodedOk++;
    } catch (err) {
      assert.ok(err instanceof XpressDecompressError, `unexpected ${String(err)}`);
    }
    assert.ok(out.subarray(0, 32).every((b) => b === 0xa5) && out.subarray(32 + size).every((b) => b === 0xa5), 'wrote outside the range');
  }
  // Bit flips in the data mostly still decode (to wrong bytes): the mutations reached the decoder loop.
  assert.ok(decodedOk > 100, `only ${decodedOk} mutated chunks decoded`);
});
