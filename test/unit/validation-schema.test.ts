import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProject, MAX_NESTING_DEPTH } from '../../server/src/model/parse';
import { validateText } from '../../server/src/validation/validate';
import { now, rangeOf } from '../support/projectText';

const v = (text: string) => validateText(text, { now }).diagnostics;
const base = `{
  "name": "CTS",
  "id": "6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13",
  "version": "1.0",
  // a comment, and a trailing comma below
  "device": { "name": "CTS-%SERIAL%", },
}`;

test('JSON with comments and trailing commas is valid', () => {
  assert.deepEqual(v(base), []);
});

test('a wrong value marks the value, with the schema message', () => {
  const text = base.replace('"1.0"', '"1.2.3"');
  const [d] = v(text);
  assert.equal(d.code, 'PPKG100');
  assert.deepEqual(d.range, rangeOf(text, '"1.2.3"'));
  assert.match(d.message, /^version: The version must be N\.N or N\.N\.N\.N/);
});

test('a wrong type marks the value and names both types', () => {
  const text = base.replace('"CTS-%SERIAL%"', '42');
  const [d] = v(text);
  assert.equal(d.code, 'PPKG100');
  assert.deepEqual(d.range, rangeOf(text, '42'));
  assert.equal(d.message, 'device.name: Expected a text value, found the number 42.');
});

test('an enum error lists the allowed values', () => {
  const text = base.replace('"version": "1.0",', '"version": "1.0", "owner": "Admin",');
  const [d] = v(text);
  assert.deepEqual(d.range, rangeOf(text, '"Admin"'));
  assert.match(d.message, /Use one of: Microsoft, SiliconVendor, OEM, SystemIntegrator, MobileOperator, ITAdmin/);
});

test('an unknown property marks its key and suggests the near name', () => {
  const text = base.replace('"name": "CTS-%SERIAL%"', '"nmae": "CTS-%SERIAL%"');
  const [d] = v(text);
  assert.equal(d.code, 'PPKG101');
  assert.deepEqual(d.range, rangeOf(text, '"nmae"'));
  assert.match(d.message, /Did you mean "name"\?/);
  assert.deepEqual(d.data, { property: 'nmae', suggestion: 'name' });
});

test('a missing property marks the key of the parent; at the root, its brace', () => {
  const text = base.replace('"device": { "name": "CTS-%SERIAL%", },', '"network": { "wifi": { "security": "Open" } },');
  const [d] = v(text);
  assert.equal(d.code, 'PPKG102');
  assert.deepEqual(d.range, rangeOf(text, '"wifi"'));
  assert.match(d.message, /Missing required property "ssid" \(Network SSID\) in network\.wifi/);
  const noId = base.replace('"id": "6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13",', '');
  const [r] = v(noId);
  assert.deepEqual(r.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } });
});

test('a secret that is neither text nor a reference gets one clear message', () => {
  const text = base.replace('"device"', '"network": { "wifi": { "ssid": "N", "key": 12 } }, "device"');
  const found = v(text).filter((d) => d.code === 'PPKG100');
  assert.equal(found.length, 1);
  assert.match(found[0].message, /secret reference \{ "secret": "<name>" \} or a text value, found the number 12/);
  assert.deepEqual(found[0].range, rangeOf(text, '12'));
});

test('inside a secret reference the deeper error is kept', () => {
  const text = base.replace('"device"', '"network": { "wifi": { "ssid": "N", "key": { "secret": "bad name!" } } }, "device"');
  const found = v(text).filter((d) => d.code === 'PPKG100');
  assert.equal(found.length, 1);
  assert.deepEqual(found[0].range, rangeOf(text, '"bad name!"'));
});

test('malformed JSON gives positioned syntax errors and the rules still run on what parsed', () => {
  const text = `{
  "name": "CTS",
  "id": "6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13"
  "version": "1.0",
  "device": { "name": "CTS DESK" }`;
  const ds = v(text);
  const comma = ds.find((d) => d.code === 'PPKG000' && d.message === 'Comma expected');
  assert.deepEqual(comma?.range.start, { line: 3, character: 2 });
  assert.ok(ds.some((d) => d.code === 'PPKG000' && /Closing brace/.test(d.message)));
  assert.ok(
    ds.some((d) => d.code === 'PPKG001'),
    'the device-name rule ran on the partial tree',
  );
});

test('an empty file and a non-object are errors, not crashes', () => {
  assert.equal(v('')[0].code, 'PPKG000');
  assert.equal(v('[1,2]')[0].code, 'PPKG100');
  assert.equal(v('"text"')[0].code, 'PPKG100');
});

test('nesting 100,000 levels deep is refused at the first level past the limit', () => {
  const text = '{"name":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
  const ds = v(text);
  const deep = ds.find((d) => /Nesting deeper than/.test(d.message));
  assert.ok(deep);
  assert.deepEqual(deep.range.start, { line: 0, character: 8 + MAX_NESTING_DEPTH - 1 });
});

test('__proto__ and constructor keys stay ordinary properties', () => {
  const doc = parseProject('{ "__proto__": { "polluted": true }, "constructor": 1 }');
  const value = doc.value as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.ok(Object.prototype.hasOwnProperty.call(value, '__proto__'));
  const ds = v('{ "name": "a", "id": "6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13", "version": "1.0", "__proto__": {} }');
  assert.deepEqual(
    ds.map((d) => d.code),
    ['PPKG101'],
  );
});

test('a byte order mark and CRLF line ends keep positions right', () => {
  const text = '\ufeff{\r\n  "name": "CTS",\r\n  "id": "6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13",\r\n  "version": "1.2.3"\r\n}';
  const [d] = v(text);
  assert.deepEqual(d.range, { start: { line: 3, character: 13 }, end: { line: 3, character: 20 } });
});

test('firstInvalidUtf8 points at the first byte of a broken character', async () => {
  const { firstInvalidUtf8 } = await import('../../server/src/model/projectText');
  const at = (...parts: (string | number[])[]) => firstInvalidUtf8(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))));
  assert.equal(at('café'), -1);
  assert.equal(at('ab', [0xff]), 2);
  assert.equal(at('caf', [0xe9], '"'), 3); // a lead byte followed by a non-continuation
  assert.equal(at('x', [0xc0, 0xaf]), 1); // overlong "/"
  assert.equal(at('x', [0xed, 0xa0, 0x80]), 1); // a surrogate
  assert.equal(at('x', [0xf4, 0x90, 0x80, 0x80]), 1); // past U+10FFFF
  assert.equal(at('Z', [0xc3]), 1); // cut in the middle
  assert.equal(at('𝄞', [0xe2, 0x82, 0xac]), -1);
});

test('the precompiled validator is in use after a build and agrees with ajv compiling the schema', async () => {
  const { schemaErrors, usesPrecompiledValidator, validateAgainstSchema } = await import('../../server/src/validation/schema');
  assert.ok(usesPrecompiledValidator(), 'npm test bundles first, which generates the validator');
  const Ajv = (await import('ajv')).default;
  const settings = (await import('../../server/src/validation/ajvOptions.json')).default;
  const ajv = new Ajv(settings.options);
  ajv.addVocabulary(settings.editorKeywords);
  const runtime = ajv.compile((await import('../../server/src/validation/schema')).PROJECT_SCHEMA);
  const samples = [
    base,
    base.replace('"1.0"', '"1.2.3"'),
    base.replace('"CTS-%SERIAL%"', '42'),
    base.replace('"device"', '"network": { "wifi": { "ssid": "N", "key": 12 } }, "device"'),
    base.replace('"device"', '"bogus": 1, "rank": 100, "owner": "x", "device"'),
    '{ "applications": [ { "name": "<a>" } ], "certificates": {} }',
    '{ "name": 3, "applications": [ { "name": "ok" }, 7, null, { "name": "b", "installer": 4, "bogus": true }, { "commandLine": "x" } ] }',
    '{ "applications": "not a list" }',
  ];
  for (const text of samples) {
    const doc = parseProject(text);
    runtime(doc.value);
    const expected = (runtime.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`).sort();
    const precompiled = await import('../../server/src/validation/generated/projectValidator.js');
    const fn = precompiled.validate;
    fn(doc.value);
    assert.deepEqual((fn.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`).sort(), expected, text);
    // Applications are validated one by one (and kept per object); the errors must be the whole validator's.
    const full = (runtime.errors ?? []).map((e) => `${e.instancePath} ${e.schemaPath} ${e.keyword} ${JSON.stringify(e.params)}`).sort();
    const split = () =>
      schemaErrors(doc.value)
        .map((e) => `${e.instancePath} ${e.schemaPath} ${e.keyword} ${JSON.stringify(e.params)}`)
        .sort();
    assert.deepEqual(split(), full, text);
    assert.deepEqual(split(), full, `from the kept findings: ${text}`);
    assert.ok(Array.isArray(validateAgainstSchema(doc)));
  }
});
