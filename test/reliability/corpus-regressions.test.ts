/**
 * Regressions: hostile inputs that failed because of engine
 * bugs found by this suite, now fixed.
 *
 */
import { test } from 'node:test';
import { join } from 'node:path';
import { baseProject, pretty, project, type HostileCase } from './corpus/hostile';
import { runHostileCase } from './corpus/runCase';

const ID = '6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13';

export const PENDING: HostileCase[] = [
  // BUG 1 (validateFile firstInvalidUtf8): streaming decode accepts a lead byte at the cut, so the
  // reported offset/column is one past the bad byte and the message names the next byte (0x22, not 0xe9).
  {
    id: 'invalid-utf8',
    target: 'validate',
    what: 'a Latin-1 é (0xE9) on line 3: location and byte',
    setup: (d) =>
      project(d, Buffer.concat([Buffer.from('{\n  "name": "x",\n  "description": "caf'), Buffer.from([0xe9]), Buffer.from('",\n  "version": "1.0"\n}\n')])),
    expect: { exit: 1, code: 'PPKG082', at: { line: 3, col: 22 }, stdoutNot: /byte 0x22/ },
    child: true,
  },
  {
    id: 'utf8-encoded-surrogate',
    target: 'validate',
    what: 'a UTF-16 surrogate encoded in UTF-8 (ED A0 80)',
    setup: (d) => project(d, Buffer.concat([Buffer.from('{\n"name": "'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('" }')])),
    expect: { exit: 1, code: 'PPKG082', at: { line: 2, col: 10 } },
  },
  // …and a file that ends inside a multi-byte character reports "byte 0xundefined".
  {
    id: 'truncated-utf8',
    target: 'validate',
    what: 'a file cut in the middle of a multi-byte character',
    setup: (d) => project(d, Buffer.from('{ "name": "Zü').subarray(0, 13)),
    expect: { exit: 1, code: 'PPKG082', at: { line: 1, col: 13 }, stdoutNot: /undefined/ },
  },

  // BUG 2 (ppkg token): invalid UTF-8 is decoded leniently; the command signs in and would rewrite
  // the project with U+FFFD in place of the original bytes. Expected: refused before sign-in, naming the file.
  {
    id: 'token-invalid-utf8',
    target: 'token',
    what: 'ppkg token on a project with invalid UTF-8',
    setup: (d) =>
      project(d, Buffer.concat([Buffer.from('{ "account": { "entra": { "token": { "secret": "b'), Buffer.from([0xff, 0xfe]), Buffer.from('" } } } }')])),
    expect: { exit: 2, stderr: /p\.ppkg\.json.*(UTF-8|utf-8)/ },
  },

  // BUG 3 (cli/format/text + schema messages): keys are echoed raw, so a newline in a key forges a
  // diagnostic line (CI annotation injection) and ESC sequences reach the terminal.
  {
    id: 'key-newline-forges-line',
    target: 'validate',
    what: 'a key containing a newline and a forged "file:1:1: error" line',
    setup: (d) =>
      project(d, pretty(baseProject()).replace('"version": "1.0"', '"version": "1.0",\n  "x\\nforged.ppkg.json:1:1: error PPKG031 forged finding": 1')),
    expect: { exit: 1, code: 'PPKG101', stdoutNot: /^forged\.ppkg\.json:1:1: error/m },
    child: true,
  },
  {
    id: 'key-ansi-escape',
    target: 'validate',
    what: 'a key containing ESC[2J (clear screen) and BEL',
    setup: (d) => project(d, pretty(baseProject()).replace('"version": "1.0"', '"version": "1.0",\n  "\\u001b[2J\\u0007x": 1')),
    expect: { exit: 1, code: 'PPKG101', stdoutNot: /[\u0000-\u0008\u000b-\u001f\u007f]/ },
    child: true,
  },

  // BUG 4 (validation): control characters in the package name (which is also the .ppkg file name)
  // pass validation. Expected: PPKG100 on the name.
  {
    id: 'name-control-chars',
    target: 'validate',
    what: 'control characters in the package name',
    setup: (d) => project(d, pretty(baseProject({ name: 'CTS\u0007\u001b[31mDesktops\r\n' }))),
    expect: { exit: 1, code: 'PPKG100', atText: '"CTS' },
  },

  // BUG 5 (schema.ts closest/editDistance): an unknown key of n characters costs O(n × candidates)
  // time and memory for the "did you mean" hint: a 100,000-character key takes ~4 s, 300,000 ~11 s,
  // on every keystroke in the language server. Expected: well under a second.
  {
    id: 'key-100k-chars',
    target: 'validate',
    what: 'an unknown key of 100,000 characters',
    setup: (d) => project(d, pretty(baseProject()).replace('"version": "1.0"', `"version": "1.0", "${'k'.repeat(100_000)}": 2`)),
    expect: { exit: 1, code: 'PPKG101', maxMs: 1000 },
  },
];

for (const c of PENDING) test(`regression ${c.target}: ${c.id} — ${c.what}`, { timeout: 120_000 }, () => runHostileCase(c));
void join;
void ID;
