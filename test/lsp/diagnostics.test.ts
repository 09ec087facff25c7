import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateText } from '../../server/src/validation/validate';
import { LspClient, makeFixture, TEST_NOW, type Diagnostic } from './lspClient';

let client: LspClient;
let fx: ReturnType<typeof makeFixture>;
const now = () => new Date(TEST_NOW);

before(async () => {
  fx = makeFixture();
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
  fx.cleanup();
});

/** What the engine says about the same text, in the LSP's shape (the server must agree exactly). */
function engine(text: string, uri: string, expiryWarningDays?: number) {
  return validateText(text, { projectPath: fileURLToPath(uri), now, expiryWarningDays }).diagnostics.map((d) => ({
    range: d.range,
    severity: { error: 1, warning: 2, information: 3 }[d.severity],
    code: d.code,
    message: String(d.message),
  }));
}

function shape(ds: Diagnostic[]) {
  return ds.map((d) => ({ range: d.range, severity: d.severity, code: d.code, message: String(d.message) }));
}

const codes = (ds: Diagnostic[]) => ds.map((d) => d.code);

test('the example project is clean, and the server agrees with the engine', async () => {
  const uri = fx.uri('cts-desktops.ppkg.json');
  const text = readFileSync(path.join(fx.dir, 'cts-desktops.ppkg.json'), 'utf8');
  const ds = await client.open(uri, text);
  assert.deepEqual(shape(ds), engine(text, uri));
  assert.deepEqual(codes(ds), []);
  await client.close(uri);
});

const MISSING_COMMA = `{
  "name": "Lab"
  "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}",
  "version": "1.0",
  "device": { "name": "LAB PC-%SERIAL%" }
}
`;

test('missing comma: PPKG000 at the exact spot, and the rules still run on what parsed', async () => {
  const uri = fx.uri('missing-comma.ppkg.json');
  const ds = await client.open(uri, MISSING_COMMA);
  assert.deepEqual(shape(ds), engine(MISSING_COMMA, uri));
  const syntax = ds.find((d) => d.code === 'PPKG000')!;
  assert.deepEqual(syntax.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 6 } });
  assert.equal(String(syntax.message), 'Comma expected');
  assert.equal(syntax.severity, 1);
  const space = ds.find((d) => d.code === 'PPKG001')!;
  // The space in "LAB PC-%SERIAL%": line 4, after `  "device": { "name": "LAB`.
  assert.deepEqual(space.range, { start: { line: 4, character: 26 }, end: { line: 4, character: 27 } });
  assert.equal(space.source, 'ppkg');
  await client.close(uri);
});

const UNCLOSED = `// unclosed
{
  "name": "Lab",
  "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}",
  "version": "1.0",
  "network": {
    "wifi": { "ssid": "Lab", "security": "WPA2-Personal", "key": "short" }
`;

test('unclosed brace: the end-of-file error plus the Wi-Fi findings, same as the engine', async () => {
  const uri = fx.uri('unclosed.ppkg.json');
  const ds = await client.open(uri, UNCLOSED);
  assert.deepEqual(shape(ds), engine(UNCLOSED, uri));
  assert.ok(codes(ds).includes('PPKG000'));
  const key = ds.find((d) => d.code === 'PPKG021')!;
  assert.deepEqual(key.range, { start: { line: 6, character: 65 }, end: { line: 6, character: 72 } });
  // The message gives the length, never the key.
  assert.ok(!String(key.message).includes('short'));
  const plain = ds.find((d) => d.code === 'PPKG070')!;
  assert.deepEqual(plain.data, { secretName: 'wifi-key', path: ['network', 'wifi', 'key'] });
  await client.close(uri);
});

const WRONG_TYPES = `{
  "name": "Lab",
  "id": "not-a-guid",
  "version": 1,
  "rank": "high",
  "owner": "Admin",
  "device": { "name": "PC-%SERIAL%", "sharedUse": "yes" },
  "oobe": { "hide": true },
  "deviceName": "x"
}
`;

test('wrong types, enum and pattern errors go on the value; an unknown property on its key', async () => {
  const uri = fx.uri('types.ppkg.json');
  const ds = await client.open(uri, WRONG_TYPES);
  assert.deepEqual(shape(ds), engine(WRONG_TYPES, uri));
  const at = (code: string, line: number) => ds.find((d) => d.code === code && d.range.start.line === line);
  assert.deepEqual(at('PPKG100', 2)!.range, { start: { line: 2, character: 8 }, end: { line: 2, character: 20 } });
  assert.match(String(at('PPKG100', 2)!.message), /GUID/);
  assert.deepEqual(at('PPKG100', 3)!.range, { start: { line: 3, character: 13 }, end: { line: 3, character: 14 } });
  assert.deepEqual(at('PPKG100', 4)!.range, { start: { line: 4, character: 10 }, end: { line: 4, character: 16 } });
  assert.match(String(at('PPKG100', 5)!.message), /ITAdmin/);
  assert.deepEqual(at('PPKG100', 6)!.range, { start: { line: 6, character: 50 }, end: { line: 6, character: 55 } });
  assert.deepEqual(at('PPKG101', 8)!.range, { start: { line: 8, character: 2 }, end: { line: 8, character: 14 } });
  assert.equal(at('PPKG041', 7)!.severity, 2);
  await client.close(uri);
});

test('the expiry warning follows ppkg.expiryWarningDays from workspace/configuration', async () => {
  const uri = fx.uri('expiry.ppkg.json');
  const text = `{
  "name": "Lab", "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}", "version": "1.0",
  "account": { "entra": { "tokenExpiry": "2027-01-05", "token": { "secret": "bulk-token" } }, "localAdmin": { "user": "a", "password": { "secret": "p" } } }
}
`;
  // 40 days left: no warning at the default 30.
  assert.deepEqual(codes(await client.open(uri, text)), []);
  client.settings = { expiryWarningDays: 60 };
  const changed = client.waitForDiagnostics(uri, 1).then(
    () =>
      new Promise<Diagnostic[]>((resolve) => {
        const check = () => {
          const d = client.diagnostics.get(uri)!.diagnostics;
          if (d.length) resolve(d);
          else setTimeout(check, 20);
        };
        check();
      }),
  );
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  const ds = await changed;
  assert.deepEqual(shape(ds), engine(text, uri, 60));
  assert.deepEqual(codes(ds), ['PPKG013']);
  assert.match(String(ds[0].message), /40 days/);
  client.settings = {};
  await client.close(uri);
});

test('ppkg.buildBackend from workspace/configuration decides PPKG113, as ppkg validate --backend does', async () => {
  const uri = fx.uri('backend.ppkg.json');
  const text = `{ "name": "Lab", "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}", "version": "1.0",
  "additionalCustomizationsXml": "<Targets><Target Id=\\"t\\"></Target></Targets>" }
`;
  assert.ok(codes(await client.open(uri, text)).includes('PPKG113'), 'native by default');
  const settle = (want: boolean) =>
    new Promise<Diagnostic[]>((resolve) => {
      const check = () => {
        const d = client.diagnostics.get(uri)!.diagnostics;
        if (d.some((x) => x.code === 'PPKG113') === want) resolve(d);
        else setTimeout(check, 20);
      };
      check();
    });
  client.settings = { buildBackend: 'icd' };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  assert.deepEqual(
    shape(await settle(false)).filter((d) => d.code === 'PPKG113'),
    [],
  );
  client.settings = { buildBackend: 'something else' };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  assert.ok(codes(await settle(true)).includes('PPKG113'), 'an unknown value is not trusted: native');
  client.settings = {};
  await client.close(uri);
});

test('typing fast: diagnostics are debounced and always match the last version', async () => {
  const uri = fx.uri('typing.ppkg.json');
  const base = `{ "name": "Lab", "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}", "version": "1.0", "device": { "name": "PC" } }\n`;
  await client.open(uri, base);
  const col = base.indexOf('"PC"') + 3;
  let last: Promise<Diagnostic[]> | undefined;
  let i = 0;
  for (const ch of ' ABC') {
    const at = { line: 0, character: col + i++ };
    last = client.edit(uri, [{ range: { start: at, end: at }, newText: ch }], { wait: i === 4 });
  }
  const ds = await last!;
  assert.deepEqual(shape(ds), engine(client.text(uri), uri));
  assert.equal(client.text(uri).includes('"PC ABC"'), true);
  assert.deepEqual(codes(ds), ['PPKG001']);
  await client.close(uri);
});

test('closing a document clears its diagnostics', async () => {
  const uri = fx.uri('close.ppkg.json');
  assert.ok((await client.open(uri, '{')).length > 0);
  const cleared = new Promise<void>((resolve) => {
    const check = () => (client.diagnostics.get(uri)?.diagnostics.length === 0 ? resolve() : setTimeout(check, 20));
    check();
  });
  await client.close(uri);
  await cleared;
});

test('ppkg/validateWorkspace validates project files that are not open', async () => {
  const result = await client.request<{ files: { uri: string; errors: number; warnings: number }[] }>('ppkg/validateWorkspace', { folders: [fx.uri('')] });
  const example = result.files.find((f) => f.uri.endsWith('cts-desktops.ppkg.json'))!;
  assert.deepEqual({ errors: example.errors, warnings: example.warnings }, { errors: 0, warnings: 0 });
  const published = await client.waitForDiagnostics(example.uri);
  assert.deepEqual(published.diagnostics, []);
});

test('a file created on disk clears PPKG030 after workspace/didChangeWatchedFiles', async () => {
  const { writeFileSync } = await import('node:fs');
  const uri = fx.uri('watched.ppkg.json');
  const text = `{ "name": "Lab", "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}", "version": "1.0", "applications": [ { "name": "A", "installer": "later.msi", "commandLine": "msiexec /i later.msi /qn" } ] }\n`;
  assert.deepEqual(codes(await client.open(uri, text)), ['PPKG030']);
  writeFileSync(path.join(fx.dir, 'later.msi'), 'x');
  const cleared = new Promise<void>((resolve) => {
    const check = () => (client.diagnostics.get(uri)?.diagnostics.length === 0 ? resolve() : setTimeout(check, 20));
    check();
  });
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fx.uri('later.msi'), type: 1 }] });
  await cleared;
  await client.close(uri);
});
