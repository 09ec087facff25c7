/**
 * The 7-Zip WASM anchor (the npm package 7z-wasm) and the seeded random
 * numbers the package benches make their installers from. The anchor runs as
 * its own Node process, like ppkg and wimlib:
 *
 *   node seven-zip.cjs <package> <out folder>        7z x (extract everything)
 *   node seven-zip.cjs <package> <out folder> l      7z l -slt (list)
 *
 * It exits 1 unless 7-Zip reports success ("Everything is Ok", or a listing
 * with paths, which it prints), so a measured run always checks that 7-Zip
 * read the package.
 */
import type { Timing } from './stats';

export const SEVEN_ZIP_SCRIPT = `
const path = require('node:path');
const SevenZip = require(${JSON.stringify(require.resolve('7z-wasm'))});
(async () => {
  const [pkg, outDir] = process.argv.slice(2);
  const lines = [];
  const sz = await SevenZip({ print: (s) => lines.push(s), printErr: (s) => lines.push(s) });
  require('node:fs').mkdirSync(outDir, { recursive: true });
  sz.FS.mkdir('/in');
  sz.FS.mount(sz.NODEFS, { root: path.dirname(path.resolve(pkg)) }, '/in');
  sz.FS.mkdir('/out');
  sz.FS.mount(sz.NODEFS, { root: path.resolve(outDir) }, '/out');
  const list = process.argv[4] === 'l';
  try { sz.callMain(list ? ['l', '-slt', '/in/' + path.basename(pkg)] : ['x', '/in/' + path.basename(pkg), '-o/out', '-y']); } catch (e) { if (!(e && typeof e === 'object' && 'status' in e)) throw e; }
  const ok = list ? lines.some((l) => l.startsWith('Path = ')) : lines.some((l) => /Everything is Ok/.test(l));
  if (!ok) { console.error(lines.join('\\n')); process.exit(1); }
  if (list) process.stdout.write(lines.join('\\n') + '\\n'); // the listing, checked by the bench like wimdir's
})();
`;

/** xorshift32: the same bytes on every machine and every run, for a given seed. */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** A timing for a bench's own console summary, in seconds. */
export function fmtSeconds(t: Timing): string {
  return `${(t.median / 1000).toFixed(2)} s (min ${(t.min / 1000).toFixed(2)}, max ${(t.max / 1000).toFixed(2)})`;
}
