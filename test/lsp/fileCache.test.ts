/**
 * The language service remembers what it found on disk across keystrokes
 * (30 s by default, or as the server sets it) and forgets it when the client
 * reports a file change (filesChanged, from workspace/didChangeWatchedFiles).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { PpkgLanguageService } from '../../server/src/languageService/service';

const ID = '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}';
const project = (name: string) =>
  `{ "name": "${name}", "id": "${ID}", "version": "1.0", "applications": [ { "name": "A", "installer": "later.msi", "commandLine": "msiexec /i later.msi /qn" } ] }\n`;

test('unchanged files are not checked again per keystroke; a reported change is seen at once', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ppkg-filecache-'));
  try {
    const uri = pathToFileURL(path.join(dir, 'lab.ppkg.json')).toString();
    const service = new PpkgLanguageService({ now: () => new Date('2026-01-01T00:00:00Z') });
    const codes = (version: number, name: string) => service.validate(TextDocument.create(uri, 'ppkg-project', version, project(name))).map((d) => d.code);
    assert.deepEqual(codes(1, 'Lab'), ['PPKG030']);
    fs.writeFileSync(path.join(dir, 'later.msi'), 'x');
    // A keystroke later: the answer about later.msi is still the remembered one.
    assert.deepEqual(codes(2, 'Lab 2'), ['PPKG030']);
    // The client reports the new file: the next validation sees it.
    service.filesChanged();
    assert.deepEqual(codes(2, 'Lab 2'), []);
    assert.deepEqual(codes(3, 'Lab 3'), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
