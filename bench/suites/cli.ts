/**
 * 3. `ppkg validate` over 500 project files against ajv-cli on the same files
 * and schema, process against process (`node bin/ppkg.js`, `node
 * node_modules/ajv-cli/dist/index.js`; no npx start-up on either side).
 *
 * Two sets: 500 valid files, and 500 files with one schema error each. The
 * files are plain JSON (ajv-cli cannot read comments), about 2 KB each, and
 * every file they point at exists, so ppkg's file rules do their real work
 * (stat, realpath) while ajv-cli checks the schema only. Every measured run
 * is checked: ppkg's exit code and its JSON report (`--format json`) must
 * match the engine run in process on the same files, finding for finding;
 * ajv-cli must call every file valid, or every file invalid.
 */
import { spawnSync } from 'node:child_process';

/**
 * Runs `node args` with stdout and stderr going to a file, as a CI log would:
 * ajv-cli exits with process.exit, which cuts a piped stdout short.
 */
function runToFile(args: string[], cwd: string, out: string): { status: number | null; output: string } {
  const fd = fs.openSync(out, 'w');
  try {
    const r = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', fd, fd] });
    return { status: r.status, output: fs.readFileSync(out, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateText } from '../../server/src/validation/validate';
import { generateProject } from '../lib/generate';
import { ratioRow, type Row } from '../lib/result';
import { measurePair } from '../lib/stats';

const FILES = 500;

function makeSet(dir: string, broken: boolean): { bytes: number; expected: string; errors: number } {
  const files = new Set<string>();
  let bytes = 0;
  const now = new Date();
  const texts: [string, string][] = [];
  for (let i = 0; i < FILES; i++) {
    const g = generateProject({ bytes: 2 * 1024, comments: false, seed: i, now });
    g.files.forEach((f) => files.add(f));
    const text = broken ? g.text.replace('"continueInstall": true', '"continueInstall": "sometimes"') : g.text;
    bytes += text.length;
    const file = path.join(dir, `site-${String(i).padStart(3, '0')}.ppkg.json`);
    fs.writeFileSync(file, text);
    texts.push([file, text]);
  }
  for (const f of files) {
    const p = path.join(dir, f);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, 'x');
  }
  const found = texts.flatMap(([file, text]) => validateText(text, { projectPath: file }).diagnostics.map((d) => ({ file, d })));
  const expected = found.map(({ file, d }) => `${path.basename(file)} ${d.code} ${d.range.start.line}:${d.range.start.character}`);
  return { bytes, expected: expected.sort().join('\n'), errors: found.filter(({ d }) => d.severity === 'error').length };
}

export async function runCli(root: string, tmp: string, log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const schema = path.join(root, 'schemas', 'ppkg-project.schema.json');
  for (const broken of [false, true]) {
    const dir = fs.mkdtempSync(path.join(tmp, 'cli-'));
    try {
      const { bytes, expected, errors } = makeSet(dir, broken);
      const ppkg = [path.join(root, 'bin', 'ppkg.js'), 'validate', dir, '--format', 'json'];
      const ajv = [
        path.join(root, 'node_modules', 'ajv-cli', 'dist', 'index.js'),
        'validate',
        '-s',
        schema,
        '-d',
        path.join(dir, '*.ppkg.json'),
        '--strict=false',
        '--all-errors',
      ];
      const expectedFindings = expected ? expected.split('\n').length : 0;
      const expectedErrors = errors;
      const outFile = path.join(tmp, `cli-output-${broken ? 'broken' : 'valid'}.txt`);
      const checkPpkg = () => {
        const r = runToFile(ppkg, dir, outFile);
        const wantExit = expectedErrors > 0 ? 1 : 0;
        if (r.status !== wantExit) throw new Error(`ppkg validate exited ${r.status}, expected ${wantExit}: ${r.output.slice(0, 1000)}`);
        const found = (JSON.parse(r.output) as { file: string; code: string; range: { start: { line: number; character: number } } }[])
          .map((d) => `${path.basename(d.file)} ${d.code} ${d.range.start.line}:${d.range.start.character}`)
          .sort()
          .join('\n');
        if (found !== expected) throw new Error(`ppkg validate's findings differ from the engine's (${found.split('\n').length} vs ${expectedFindings})`);
      };
      const checkAjv = () => {
        const r = runToFile(ajv, dir, outFile);
        const out = r.output;
        const valid = out.split('\n').filter((l) => / valid$/.test(l)).length;
        const invalid = out.split('\n').filter((l) => / invalid$/.test(l)).length;
        if (broken ? invalid !== FILES || r.status === 0 : valid !== FILES || r.status !== 0)
          throw new Error(`ajv-cli: ${valid} valid, ${invalid} invalid, exit ${r.status}`);
      };
      checkPpkg();
      checkAjv();
      const what = broken ? 'one schema error per file' : expectedFindings === 0 ? 'valid' : `as generated (${expectedFindings} findings)`;
      log(`  3. ${FILES} files (${what}), ${(bytes / FILES / 1024).toFixed(1)} KB each, ${expectedFindings} findings expected…`);
      const t = await measurePair(checkPpkg, checkAjv, { warmup: 1, runs: 11 });
      rows.push(
        ratioRow({
          group: 3,
          name: `\`ppkg validate <dir> --format json\` (process; schema + every rule, files checked on disk): ${what}`,
          size: `${FILES} files × ${(bytes / FILES / 1024).toFixed(1)} KB`,
          ours: t.ours,
          anchor: t.anchor,
          anchorName: 'ajv-cli 5 validate --strict=false --all-errors (schema only)',
          target: { kind: 'ratio', max: 1.2 },
          note: `every run checked: ${expectedFindings} findings as the engine finds them`,
        }),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}
