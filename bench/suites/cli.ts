/**
 * 3. `ppkg validate` over 500 project files against ajv-cli on the same files
 * and schema. Both run as fresh Node processes (`node bin/ppkg.js`, `node
 * node_modules/ajv-cli/dist/index.js`; no npx start-up on either side).
 *
 * The files are plain JSON (ajv-cli cannot read comments), about 2 KB each,
 * and every file they point at exists in the same temp folder, so ppkg's file
 * rules do their real work (stat, realpath) while ajv-cli checks the schema
 * only. ajv-cli gets --strict=false for the editor keywords
 * (markdownDescription, defaultSnippets, …) and --all-errors like our engine.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateProject } from '../lib/generate';
import { ratioRow, type Row } from '../lib/result';
import { measurePair } from '../lib/stats';

const FILES = 500;

export async function runCli(root: string, tmp: string, log: (s: string) => void): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(tmp, 'cli-'));
  const files = new Set<string>();
  let bytes = 0;
  const now = new Date();
  for (let i = 0; i < FILES; i++) {
    const g = generateProject({ bytes: 2 * 1024, comments: false, seed: i, now });
    g.files.forEach((f) => files.add(f));
    bytes += g.text.length;
    fs.writeFileSync(path.join(dir, `site-${String(i).padStart(3, '0')}.ppkg.json`), g.text);
  }
  for (const f of files) {
    const p = path.join(dir, f);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, 'x');
  }
  const schema = path.join(root, 'schemas', 'ppkg-project.schema.json');
  const ppkg = [path.join(root, 'bin', 'ppkg.js'), 'validate', dir];
  const ajv = [path.join(root, 'node_modules', 'ajv-cli', 'dist', 'index.js'), 'validate', '-s', schema, '-d', path.join(dir, '*.ppkg.json'), '--strict=false', '--all-errors'];

  const run = (args: string[], who: string) => {
    const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`${who} exited ${r.status}: ${(r.stderr || r.stdout).slice(0, 2000)}`);
    return r;
  };
  // Both must accept every file, or the comparison means nothing.
  run(ppkg, 'ppkg validate');
  const a = run(ajv, 'ajv-cli');
  const valid = (a.stdout + a.stderr).split('\n').filter((l) => / valid$/.test(l)).length;
  log(`  ${FILES} files, ${(bytes / FILES / 1024).toFixed(1)} KB each, ${files.size} referenced files; ppkg exit 0, ajv-cli valid ${valid}/${FILES}`);
  log('  3. ppkg validate vs ajv-cli…');

  const t = await measurePair(() => run(ppkg, 'ppkg validate'), () => run(ajv, 'ajv-cli'), { warmup: 1, runs: 5 });
  fs.rmSync(dir, { recursive: true, force: true });
  return [
    ratioRow({
      group: 3,
      name: '`ppkg validate <dir>` (process; schema + every rule, files checked on disk)',
      size: `${FILES} files × ${(bytes / FILES / 1024).toFixed(1)} KB`,
      ours: t.ours,
      anchor: t.anchor,
      anchorName: 'ajv-cli 5 validate --strict=false --all-errors (schema only)',
      target: { kind: 'ratio', max: 1.2 },
    }),
  ];
}
