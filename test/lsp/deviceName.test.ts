/**
 * The device-name rules as an editor sees them, over the protocol: PPKG001
 * counts characters (code points), not UTF-16 units, and PPKG005 is an error
 * when no room at all is left for %SERIAL%.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient, makeFixture, type Diagnostic } from './lspClient';

let client: LspClient;
let fx: ReturnType<typeof makeFixture>;
before(async () => {
  fx = makeFixture();
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
  fx.cleanup();
});

const HEAD = `{\n  "name": "Lab",\n  "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}",\n  "version": "1.0",\n`;
let n = 0;
async function diagnose(name: string): Promise<{ text: string; ds: Diagnostic[] }> {
  const text = `${HEAD}  "device": { "name": ${JSON.stringify(name)} }\n}\n`;
  const uri = fx.uri(`dn${n++}.ppkg.json`);
  const ds = await client.open(uri, text);
  await client.close(uri);
  return { text, ds };
}

for (const [emoji, units] of [
  ['☕', 1],
  ['💻', 2],
] as const) {
  test(`PPKG001 flags ${emoji} (${units} UTF-16 unit${units === 1 ? '' : 's'}) once, over exactly that character`, async () => {
    const { ds } = await diagnose(`${emoji}-%SERIAL%`);
    const found = ds.filter((d) => d.code === 'PPKG001');
    assert.equal(found.length, 1, JSON.stringify(ds));
    assert.equal(found[0].severity, 1);
    assert.match(String(found[0].message), new RegExp(`"${emoji}"`));
    // The name's first character sits after `  "device": { "name": "` on line 4.
    const col = '  "device": { "name": "'.length;
    assert.deepEqual(found[0].range, { start: { line: 4, character: col }, end: { line: 4, character: col + units } });
  });
}

test('PPKG001: two emoji in a row are two findings, and the letters around them none', async () => {
  const { ds } = await diagnose('A💻💻B-%SERIAL%');
  const found = ds.filter((d) => d.code === 'PPKG001');
  assert.deepEqual(
    found.map((d) => [d.range.start.character, d.range.end.character]),
    [
      [24, 26],
      [26, 28],
    ],
  );
});

test('PPKG005 is an error when no room is left for %SERIAL%, a warning when little is', async () => {
  const none = (await diagnose('CONTOSO-FRONTDE%SERIAL%')).ds.filter((d) => d.code === 'PPKG005');
  assert.equal(none.length, 1, 'fixed part of exactly 15 characters');
  assert.equal(none[0].severity, 1);
  assert.match(String(none[0].message), /No room left for %SERIAL%.*every device gets the same name "CONTOSO-FRONTDE"/);
  assert.equal(typeof (none[0].data as { suggestedName?: unknown } | undefined)?.suggestedName, 'string', 'the shorten fix applies');

  const over = (await diagnose('CONTOSO-FRONTDESK-%SERIAL%')).ds;
  assert.deepEqual(
    over.filter((d) => d.code === 'PPKG005').map((d) => d.severity),
    [1],
    'over 15 fixed characters: still no room',
  );
  assert.ok(over.some((d) => d.code === 'PPKG004'));

  const little = (await diagnose('CONTOSO-DESK-%SERIAL%')).ds.filter((d) => d.code === 'PPKG005');
  assert.deepEqual(
    little.map((d) => d.severity),
    [2],
  );
  assert.match(String(little[0].message), /Only 2 characters left/);

  assert.deepEqual(
    (await diagnose('CTS-%SERIAL%')).ds.filter((d) => d.code === 'PPKG005'),
    [],
  );
});
