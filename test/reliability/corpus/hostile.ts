/**
 * The hostile-input corpus: each case builds one bad input inside a fresh
 * project folder and states what ppkg must do with it. Big inputs are
 * generated here at test time into the sandbox, never committed.
 *
 * An expectation names the exit code and, for findings, the diagnostic code
 * and where it must start (1-based line:col, as `ppkg validate` prints it), so
 * every refusal comes "with a location"; refusals of the whole file (exit 2)
 * must name the file on stderr instead.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';

export type Target = 'validate' | 'token' | 'init';

export interface Expectation {
  exit: 0 | 1 | 2;
  /** A diagnostic with this code must be reported (validate). */
  code?: string;
  /** …starting here (1-based). */
  at?: { line: number; col: number };
  /** …or starting at the first occurrence of this text in the written file. */
  atText?: string;
  /** stderr must match (exit-2 refusals name the file or the problem). */
  stderr?: RegExp;
  /** stdout must not match (e.g. a forged diagnostic line). */
  stdoutNot?: RegExp;
  /** In-process run time budget, ms. */
  maxMs?: number;
  /** No diagnostic may have a code in this list (e.g. no PPKG999 internal error). */
  forbidCodes?: string[];
}

export interface HostileCase {
  id: string;
  target: Target;
  what: string;
  /** Writes the input below `dir`; returns the CLI arguments after the command name (paths relative to `dir`). */
  setup(dir: string): string[];
  expect: Expectation;
  /** Also run as a child process (node bin/ppkg.js …). */
  child?: boolean;
}

const ID = '6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13';

/** A project that validates without errors (no bulk token, so no date depends on the clock). */
export function baseProject(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Hostile Corpus',
    id: `{${ID}}`,
    version: '1.0',
    device: { name: 'CTS-%SERIAL%' },
    network: { wifi: { ssid: 'CTS-Setup', security: 'WPA2-Personal', key: { secret: 'wifi-key' } } },
    account: { localAdmin: { user: 'ctsadmin', password: { secret: 'local-admin-password' } } },
    applications: [{ name: 'Agent', installer: 'installers/agent.msi', commandLine: 'msiexec /i agent.msi /qn' }],
    certificates: [{ name: 'Root', file: 'certificates/root.cer' }],
    ...over,
  };
}

/** The files baseProject() points at. */
export function writeSupportFiles(dir: string): void {
  mkdirSync(join(dir, 'installers'), { recursive: true });
  mkdirSync(join(dir, 'certificates'), { recursive: true });
  writeFileSync(join(dir, 'installers/agent.msi'), 'MSI');
  writeFileSync(join(dir, 'certificates/root.cer'), 'CER');
}

export const PROJECT = 'p.ppkg.json';

export function project(dir: string, text: string | Buffer, support = true): string[] {
  if (support) writeSupportFiles(dir);
  writeFileSync(join(dir, PROJECT), text);
  return [PROJECT];
}

export const pretty = (o: unknown) => JSON.stringify(o, null, 2) + '\n';

function withInstaller(installer: string, extra: Record<string, unknown> = {}) {
  return pretty(baseProject({ applications: [{ name: 'Agent', installer, commandLine: 'x.exe /quiet', ...extra }] }));
}

/** Writes a file of `bytes` bytes made of `chunk` repeated, without holding it all in memory. */
function writeLarge(path: string, head: string, chunk: string, bytes: number, tail: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    const block = Buffer.from(chunk.repeat(Math.ceil((1 << 20) / chunk.length)).slice(0, 1 << 20));
    let left = bytes - head.length - tail.length;
    while (left > 0) {
      const n = Math.min(left, block.length);
      writeSync(fd, block, 0, n);
      left -= n;
    }
    writeSync(fd, tail);
  } finally {
    closeSync(fd);
  }
}

export const HOSTILE: HostileCase[] = [
  // --- the file as a whole ---
  {
    id: 'empty-file',
    target: 'validate',
    what: 'an empty file',
    setup: (d) => project(d, ''),
    expect: { exit: 1, code: 'PPKG000', at: { line: 1, col: 1 } },
    child: true,
  },
  {
    id: 'whitespace-only',
    target: 'validate',
    what: 'only blanks and newlines',
    setup: (d) => project(d, ' \n\n\t \r\n'),
    expect: { exit: 1, code: 'PPKG000' },
  },
  { id: 'comment-only', target: 'validate', what: 'only a comment', setup: (d) => project(d, '// nothing here\n'), expect: { exit: 1, code: 'PPKG000' } },
  {
    id: 'json-array',
    target: 'validate',
    what: 'a project that is a JSON array',
    setup: (d) => project(d, '[\n  { "name": "x" }\n]\n'),
    expect: { exit: 1, code: 'PPKG100', at: { line: 1, col: 1 } },
    child: true,
  },
  {
    id: 'json-null',
    target: 'validate',
    what: 'the value null',
    setup: (d) => project(d, 'null'),
    expect: { exit: 1, code: 'PPKG100', at: { line: 1, col: 1 } },
  },
  {
    id: 'json-string',
    target: 'validate',
    what: 'a lone string',
    setup: (d) => project(d, '"CTS Desktops"'),
    expect: { exit: 1, code: 'PPKG100', at: { line: 1, col: 1 } },
  },
  {
    id: 'json-number',
    target: 'validate',
    what: 'a lone number',
    setup: (d) => project(d, '1e400'),
    expect: { exit: 1, code: 'PPKG100', at: { line: 1, col: 1 } },
  },
  {
    id: 'two-documents',
    target: 'validate',
    what: 'two objects one after the other',
    setup: (d) => project(d, pretty(baseProject()) + '{ "name": "second" }\n'),
    expect: { exit: 1, code: 'PPKG000', atText: '{ "name": "second" }' },
  },
  {
    id: 'nesting-100k-arrays',
    target: 'validate',
    what: 'arrays nested 100,000 levels deep',
    setup: (d) => project(d, '{ "name": ' + '['.repeat(100_000) + ']'.repeat(100_000) + ' }'),
    expect: { exit: 1, code: 'PPKG000', at: { line: 1, col: 11 + 63 } },
    child: true,
  },
  {
    id: 'nesting-100k-objects',
    target: 'validate',
    what: 'objects nested 100,000 levels deep, unclosed',
    setup: (d) => project(d, '{"a":'.repeat(100_000)),
    expect: { exit: 1, code: 'PPKG000', at: { line: 1, col: 5 * 64 + 1 } },
    child: true,
  },
  {
    id: 'size-50mb',
    target: 'validate',
    what: 'a 50 MB project file (one huge description)',
    setup: (d) => {
      writeSupportFiles(d);
      const head = pretty(baseProject()).replace(/\n}\n$/, ',\n  "description": "');
      writeLarge(join(d, PROJECT), head, 'A long, long description. ', 50 * 1024 * 1024, '"\n}\n');
      return [PROJECT];
    },
    expect: { exit: 1, code: 'PPKG082', at: { line: 1, col: 1 } },
    child: true,
  },
  {
    id: 'sparse-1gb',
    target: 'validate',
    what: 'a 1 GB (sparse) file of NUL bytes',
    setup: (d) => {
      const fd = openSync(join(d, PROJECT), 'w');
      ftruncateSync(fd, 1024 ** 3);
      closeSync(fd);
      return [PROJECT];
    },
    expect: { exit: 1, code: 'PPKG082', at: { line: 1, col: 1 } },
    child: true,
  },
  {
    id: 'long-line-2mb',
    target: 'validate',
    what: 'a 2 MB single-line value (under the size limit)',
    setup: (d) => project(d, JSON.stringify(baseProject({ description: 'x'.repeat(2 * 1024 * 1024), rank: 'high' }))),
    expect: { exit: 1, code: 'PPKG100', atText: '"high"' },
  },
  {
    id: 'applications-5k',
    target: 'validate',
    what: '5,000 applications with missing installers',
    setup: (d) =>
      project(
        d,
        pretty(
          baseProject({
            applications: Array.from({ length: 5_000 }, (_, i) => ({
              name: `App ${i}`,
              installer: `installers/a${i}.msi`,
              commandLine: `msiexec /i a${i}.msi /qn`,
            })),
          }),
        ),
      ),
    expect: { exit: 1, code: 'PPKG030', atText: '"installers/a0.msi"' },
  },

  // --- bytes and encodings ---
  {
    id: 'nul-in-string',
    target: 'validate',
    what: 'a raw NUL byte inside the name',
    setup: (d) => project(d, '{\n  "name": "CTS\u0000Desktops",\n  "id": "' + ID + '",\n  "version": "1.0"\n}\n'),
    expect: { exit: 1, code: 'PPKG000', at: { line: 2, col: 11 } },
  },
  {
    id: 'nul-between-tokens',
    target: 'validate',
    what: 'raw NUL bytes between tokens',
    setup: (d) => project(d, '{\n  "name": "x",\u0000\u0000\n  "version": "1.0"\n}\n'),
    expect: { exit: 1, code: 'PPKG000', at: { line: 2, col: 15 } },
  },
  {
    id: 'utf8-overlong',
    target: 'validate',
    what: 'an overlong UTF-8 encoding of "/" (C0 AF)',
    setup: (d) => project(d, Buffer.concat([Buffer.from('{ "name": "a'), Buffer.from([0xc0, 0xaf]), Buffer.from('" }')])),
    expect: { exit: 1, code: 'PPKG082', at: { line: 1, col: 13 } },
  },
  {
    id: 'utf16-file',
    target: 'validate',
    what: 'the project saved as UTF-16 LE with its BOM',
    setup: (d) => project(d, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pretty(baseProject()), 'utf16le')])),
    expect: { exit: 1, code: 'PPKG082', at: { line: 1, col: 1 } },
  },
  {
    id: 'bom-valid',
    target: 'validate',
    what: 'a byte order mark before a valid project',
    setup: (d) => project(d, '\ufeff' + pretty(baseProject())),
    expect: { exit: 0, forbidCodes: ['PPKG000'] },
  },
  {
    id: 'bom-crlf-error',
    target: 'validate',
    what: 'BOM and CRLF line ends, an error on line 4',
    setup: (d) => project(d, '\ufeff' + pretty(baseProject({ rank: 'high' })).replace(/\n/g, '\r\n')),
    expect: { exit: 1, code: 'PPKG100', atText: '"high"' },
    child: true,
  },
  {
    id: 'cr-only',
    target: 'validate',
    what: 'old Mac line ends (CR only) with an unknown property',
    setup: (d) => project(d, pretty(baseProject({ nmae: 1 })).replace(/\n/g, '\r')),
    expect: { exit: 1, code: 'PPKG101' },
  },
  {
    id: 'unicode-separators',
    target: 'validate',
    what: 'U+2028/U+2029 inside strings and a non-breaking space between tokens',
    setup: (d) => project(d, '{\n  "name": "a\u2028b\u2029c",\u00a0\n  "id": "' + ID + '",\n  "version": "1.0"\n}\n'),
    expect: { exit: 1, code: 'PPKG000', forbidCodes: ['PPKG999'] },
  },

  // --- syntax ---
  {
    id: 'unbalanced-open',
    target: 'validate',
    what: 'a missing closing brace',
    setup: (d) => project(d, pretty(baseProject()).replace(/}\n$/, '')),
    expect: { exit: 1, code: 'PPKG000' },
  },
  {
    id: 'unbalanced-close',
    target: 'validate',
    what: 'one closing brace too many',
    setup: (d) => project(d, pretty(baseProject()) + '}}\n'),
    expect: { exit: 1, code: 'PPKG000' },
  },
  {
    id: 'unterminated-string',
    target: 'validate',
    what: 'an unterminated string',
    setup: (d) => project(d, '{\n  "name": "CTS Desktops\n}\n'),
    expect: { exit: 1, code: 'PPKG000', at: { line: 2, col: 11 } },
  },
  {
    id: 'unterminated-comment',
    target: 'validate',
    what: 'an unterminated block comment',
    setup: (d) => project(d, pretty(baseProject()).replace('{\n', '{\n  /* open\n')),
    expect: { exit: 1, code: 'PPKG000', at: { line: 2, col: 3 } },
  },
  {
    id: 'bad-escape',
    target: 'validate',
    what: 'invalid escapes \\x41 and \\u12',
    setup: (d) => project(d, '{\n  "name": "\\x41",\n  "description": "\\u12"\n}\n'),
    expect: { exit: 1, code: 'PPKG000', at: { line: 2, col: 11 } },
  },
  {
    id: 'nan-infinity',
    target: 'validate',
    what: 'NaN and Infinity literals',
    setup: (d) => project(d, pretty(baseProject()).replace('"version": "1.0"', '"version": "1.0",\n  "rank": NaN,\n  "x": Infinity')),
    expect: { exit: 1, code: 'PPKG000', atText: 'NaN' },
  },

  // --- keys ---
  {
    id: 'duplicate-keys',
    target: 'validate',
    what: 'the same key twice',
    setup: (d) => project(d, pretty(baseProject()).replace('"version": "1.0"', '"version": "1.0",\n  "name": "Other"')),
    expect: { exit: 1, code: 'PPKG080', atText: '"name": "Other"' },
    child: true,
  },
  {
    id: 'duplicate-keys-escaped',
    target: 'validate',
    what: '"name" and "n\\u0061me" (the same key once decoded)',
    setup: (d) => project(d, pretty(baseProject()).replace('"version": "1.0"', '"version": "1.0",\n  "n\\u0061me": "Other"')),
    expect: { exit: 1, code: 'PPKG080', atText: '"n\\u0061me"' },
  },
  {
    id: 'proto-root',
    target: 'validate',
    what: '"__proto__" at the top level',
    setup: (d) => project(d, pretty(baseProject()).replace('"version": "1.0"', '"version": "1.0",\n  "__proto__": { "polluted": "yes", "isAdmin": true }')),
    expect: { exit: 1, code: 'PPKG101', atText: '"__proto__"' },
  },
  {
    id: 'proto-nested',
    target: 'validate',
    what: '"__proto__" inside an application and a secret reference',
    setup: (d) =>
      project(
        d,
        pretty(baseProject())
          .replace('"commandLine"', '"__proto__": { "polluted": 1 }, "commandLine"')
          .replace('{\n        "secret": "wifi-key"', '{\n        "__proto__": { "secret": "x" }, "secret": "wifi-key"'),
      ),
    expect: { exit: 1, code: 'PPKG101', atText: '"__proto__": { "polluted": 1 }' },
  },
  {
    id: 'constructor-prototype',
    target: 'validate',
    what: '"constructor": { "prototype": … } in device',
    setup: (d) =>
      project(
        d,
        pretty(baseProject()).replace(
          '"name": "CTS-%SERIAL%"',
          '"name": "CTS-%SERIAL%", "constructor": { "prototype": { "polluted": 1 } }, "hasOwnProperty": 1, "toString": "x"',
        ),
      ),
    expect: { exit: 1, code: 'PPKG101', atText: '"constructor"' },
  },
  {
    id: 'proto-array-index',
    target: 'validate',
    what: 'keys "0", "length" and "__defineGetter__" in objects',
    setup: (d) => project(d, pretty(baseProject()).replace('"version": "1.0"', '"version": "1.0", "length": 1e9, "0": 1, "__defineGetter__": {}')),
    expect: { exit: 1, code: 'PPKG101', atText: '"length"' },
  },
  {
    id: 'empty-key',
    target: 'validate',
    what: 'an empty key',
    setup: (d) => project(d, pretty(baseProject()).replace('"version": "1.0"', '"version": "1.0", "": 1')),
    expect: { exit: 1, code: 'PPKG101', atText: '"": 1' },
  },

  // --- numbers ---
  {
    id: 'number-1e400',
    target: 'validate',
    what: 'rank 1e400 (beyond a double)',
    setup: (d) => project(d, pretty(baseProject()).replace('"version": "1.0"', '"version": "1.0",\n  "rank": 1e400')),
    expect: { exit: 1, code: 'PPKG100', atText: '1e400' },
  },
  {
    id: 'number-minus-1e400',
    target: 'validate',
    what: 'a success code of -1e400',
    setup: (d) => project(d, withInstaller('installers/agent.msi', { successCodes: [-1e400 as unknown as number] }).replace('null', '-1e400')),
    expect: { exit: 1, code: 'PPKG100', atText: '-1e400' },
  },
  {
    id: 'number-20-digits',
    target: 'validate',
    what: 'a 20-digit rank',
    setup: (d) => project(d, pretty(baseProject()).replace('"version": "1.0"', '"version": "1.0",\n  "rank": 12345678901234567890')),
    expect: { exit: 1, code: 'PPKG100', atText: '12345678901234567890' },
  },
  {
    id: 'number-tiny',
    target: 'validate',
    what: 'restart code 1e-400 and -0',
    setup: (d) =>
      project(
        d,
        withInstaller('installers/agent.msi', { restartCodes: [0] }).replace('"restartCodes": [\n        0\n      ]', '"restartCodes": [1e-400, -0, 3010.5]'),
      ),
    expect: { exit: 1, code: 'PPKG100', atText: '3010.5' },
  },
  {
    id: 'number-huge-mantissa',
    target: 'validate',
    what: 'a number with 10,000 digits',
    setup: (d) => project(d, pretty(baseProject()).replace('"version": "1.0"', `"version": "1.0",\n  "rank": ${'9'.repeat(10_000)}`)),
    expect: { exit: 1, code: 'PPKG100', atText: '999' },
  },

  // --- files: traversal, absolute paths, links ---
  {
    id: 'path-traversal',
    target: 'validate',
    what: 'installer ../../../../etc/passwd',
    setup: (d) => project(d, withInstaller('../../../../etc/passwd')),
    expect: { exit: 1, code: 'PPKG031', atText: '"../../../../etc/passwd"' },
    child: true,
  },
  {
    id: 'path-traversal-backslash',
    target: 'validate',
    what: 'installer installers\\..\\..\\secret.msi',
    setup: (d) => project(d, withInstaller('installers\\..\\..\\secret.msi')),
    expect: { exit: 1, code: 'PPKG031', atText: '"installers' },
  },
  {
    id: 'path-absolute-posix',
    target: 'validate',
    what: 'installer /etc/shadow',
    setup: (d) => project(d, withInstaller('/etc/shadow')),
    expect: { exit: 1, code: 'PPKG031', atText: '"/etc/shadow"' },
  },
  {
    id: 'path-absolute-windows',
    target: 'validate',
    what: 'certificate C:\\Windows\\System32\\cert.cer',
    setup: (d) => project(d, pretty(baseProject({ certificates: [{ name: 'Root', file: 'C:\\Windows\\System32\\cert.cer' }] }))),
    expect: { exit: 1, code: 'PPKG031', atText: '"C:' },
  },
  {
    id: 'path-unc',
    target: 'validate',
    what: 'dependency \\\\server\\share\\x.dll',
    setup: (d) => project(d, withInstaller('installers/agent.msi', { dependencies: ['\\\\server\\share\\x.dll'] })),
    expect: { exit: 1, code: 'PPKG031', atText: '"\\\\\\\\server' },
  },
  {
    id: 'path-nul',
    target: 'validate',
    what: 'installer "installers/agent.msi\\u0000.txt"',
    setup: (d) => project(d, withInstaller('installers/agent.msi\u0000.txt')),
    expect: { exit: 1, code: 'PPKG031', atText: '"installers/agent.msi\\u0000' },
  },
  {
    id: 'path-file-uri',
    target: 'validate',
    what: 'installer file:///etc/passwd',
    setup: (d) => project(d, withInstaller('file:///etc/passwd')),
    expect: { exit: 1, code: 'PPKG030', atText: '"file:///etc/passwd"' },
  },
  {
    id: 'symlink-out',
    target: 'validate',
    what: 'an installer that is a symbolic link to /etc/passwd',
    setup: (d) => {
      const args = project(d, withInstaller('installers/evil.msi'));
      symlinkSync('/etc/passwd', join(d, 'installers/evil.msi'));
      return args;
    },
    expect: { exit: 1, code: 'PPKG031', atText: '"installers/evil.msi"' },
    child: true,
  },
  {
    id: 'symlink-dir-out',
    target: 'validate',
    what: 'a folder link to / inside the project',
    setup: (d) => {
      const args = project(d, withInstaller('root/etc/passwd'));
      symlinkSync('/', join(d, 'root'));
      return args;
    },
    expect: { exit: 1, code: 'PPKG031', atText: '"root/etc/passwd"' },
  },
  {
    id: 'symlink-loop',
    target: 'validate',
    what: 'an installer in a symbolic link loop',
    setup: (d) => {
      const args = project(d, withInstaller('installers/loop.msi'));
      symlinkSync('loop2.msi', join(d, 'installers/loop.msi'));
      symlinkSync('loop.msi', join(d, 'installers/loop2.msi'));
      return args;
    },
    expect: { exit: 1, code: 'PPKG030', atText: '"installers/loop.msi"' },
  },
  {
    id: 'installer-is-fifo',
    target: 'validate',
    what: 'an installer that is a named pipe',
    setup: (d) => {
      const args = project(d, withInstaller('installers/pipe.msi'));
      execFileSync('mkfifo', [join(d, 'installers/pipe.msi')]);
      return args;
    },
    expect: { exit: 1, code: 'PPKG030', atText: '"installers/pipe.msi"' },
  },

  // --- names and strings ---
  {
    id: 'device-name-control',
    target: 'validate',
    what: 'control characters and an ANSI escape in the device name',
    setup: (d) => project(d, pretty(baseProject({ device: { name: 'CTS-\u0007\u001b[31m' } }))),
    expect: { exit: 1, code: 'PPKG001', atText: '"CTS-' },
  },
  {
    id: 'xml-metachars-valid',
    target: 'validate',
    what: 'XML metacharacters <>&"\' ]]> <!-- in free-text fields (legal in JSON)',
    setup: (d) => project(d, pretty(baseProject({ description: `<>&"' ]]> <!-- --> <![CDATA[x]]> &amp; &#0; <?xml?>` }))),
    expect: { exit: 0 },
  },
  {
    id: 'xml-metachars-restricted',
    target: 'validate',
    what: 'XML metacharacters in application and certificate names (the schema forbids <>&")',
    setup: (d) =>
      project(d, pretty(baseProject({ applications: [{ name: 'A<b>&"c', installer: 'installers/agent.msi', commandLine: 'msiexec /i agent.msi /qn' }] }))),
    expect: { exit: 1, code: 'PPKG100', atText: '"A<b>' },
  },
  {
    id: 'macro-hostile',
    target: 'validate',
    what: 'device name %RAND:999999999999999999999% and %RAND:-1%',
    setup: (d) => project(d, pretty(baseProject({ device: { name: 'A%RAND:999999999999999999999%%RAND:-1%' } }))),
    expect: { exit: 1, code: 'PPKG006', atText: '%RAND:9999' },
  },
  {
    id: 'wrong-types-everywhere',
    target: 'validate',
    what: 'every section of the wrong type',
    setup: (d) =>
      project(
        d,
        JSON.stringify({
          name: 1,
          id: [],
          version: {},
          device: 'x',
          network: [],
          account: 5,
          applications: {},
          certificates: 'x',
          oobe: null,
          protection: true,
          additionalSettings: 'x',
        }),
      ),
    expect: { exit: 1, code: 'PPKG100', forbidCodes: ['PPKG999'] },
  },
  {
    id: 'secret-ref-hostile',
    target: 'validate',
    what: 'secret references with a 10,000-character name, a number, and a nested object',
    setup: (d) =>
      project(
        d,
        pretty(
          baseProject({
            network: { wifi: { ssid: 'x', key: { secret: 'k'.repeat(10_000) } } },
            account: { localAdmin: { user: 'a', password: { secret: 42 } } },
            certificates: [{ name: 'C', file: 'certificates/root.cer', password: { secret: { secret: 'x' } } }],
          }),
        ),
      ),
    expect: { exit: 1, code: 'PPKG100', forbidCodes: ['PPKG999'] },
  },

  // --- the path given to the CLI ---
  {
    id: 'not-a-file-dir',
    target: 'validate',
    what: 'a folder named like a project',
    setup: (d) => {
      mkdirSync(join(d, 'dir.ppkg.json'));
      mkdirSync(join(d, 'dir.ppkg.json/inner'));
      return ['dir.ppkg.json/inner'];
    },
    expect: { exit: 2, stderr: /inner/ },
  },
  {
    id: 'missing-file',
    target: 'validate',
    what: 'a file that does not exist',
    setup: () => ['nope.ppkg.json'],
    expect: { exit: 2, stderr: /nope\.ppkg\.json/ },
    child: true,
  },
  {
    id: 'project-is-fifo',
    target: 'validate',
    what: 'the project file is a named pipe (must not hang)',
    setup: (d) => {
      execFileSync('mkfifo', [join(d, PROJECT)]);
      return [PROJECT];
    },
    expect: { exit: 2, stderr: /p\.ppkg\.json/ },
    child: true,
  },
  {
    id: 'project-is-dev-zero',
    target: 'validate',
    what: 'the project file is a link to /dev/zero',
    setup: (d) => {
      symlinkSync('/dev/zero', join(d, PROJECT));
      return [PROJECT];
    },
    expect: { exit: 2, stderr: /p\.ppkg\.json/ },
  },
  {
    id: 'project-symlink-loop',
    target: 'validate',
    what: 'the project file is a symbolic link loop',
    setup: (d) => {
      symlinkSync('q.ppkg.json', join(d, PROJECT));
      symlinkSync(PROJECT, join(d, 'q.ppkg.json'));
      return [PROJECT];
    },
    expect: { exit: 2, stderr: /p\.ppkg\.json/ },
  },

  // --- init ---
  {
    id: 'init-name-traversal',
    target: 'init',
    what: 'ppkg init --name "../../../etc/evil"',
    setup: () => ['.', '--name', '../../../etc/evil'],
    expect: { exit: 0 },
  },
  {
    id: 'init-name-control',
    target: 'init',
    what: 'ppkg init --name with control characters and an ANSI escape',
    setup: () => ['.', '--name', 'CTS\u0007\u001b[2J\r\nDesktops'],
    expect: { exit: 0 },
  },
  {
    id: 'init-existing',
    target: 'init',
    what: 'ppkg init where the project exists (never overwrite)',
    setup: (d) => {
      writeFileSync(join(d, 'bulk-enrollment.ppkg.json'), 'KEEP');
      return ['.'];
    },
    expect: { exit: 2, stderr: /already exists/ },
    child: true,
  },

  // --- token (refused before any network access) ---
  {
    id: 'token-array-project',
    target: 'token',
    what: 'ppkg token on a project that is a JSON array',
    setup: (d) => project(d, '[1, 2]'),
    expect: { exit: 2, stderr: /p\.ppkg\.json/ },
  },
  {
    id: 'token-deep-project',
    target: 'token',
    what: 'ppkg token on a project nested 100,000 levels',
    setup: (d) => project(d, '{"account":' + '{"entra":'.repeat(100_000)),
    expect: { exit: 2, stderr: /p\.ppkg\.json/ },
    child: true,
  },
  {
    id: 'token-entra-not-object',
    target: 'token',
    what: 'ppkg token where account.entra is a string',
    setup: (d) => project(d, '{ "account": { "entra": "yes" } }'),
    expect: { exit: 2, stderr: /account\.entra/ },
  },
];

/** Where the sandbox parent is, relative to the project folder, for tests that want to look outside. */
export function outsideOf(dir: string): string {
  return dirname(dir);
}
