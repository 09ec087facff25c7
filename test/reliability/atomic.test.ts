/**
 * Atomic builds: `ppkg build` killed with SIGKILL at seeded random points, or
 * losing its installer mid-build, never leaves a partial file at an output
 * path: each output is byte-identical to the previous build or to a complete
 * new one; temporary files exist only inside the output folder under the
 * temp prefix, and the next build removes them. Nothing outside the output
 * folder changes. A SIGKILL counts only when it lands after the build started
 * writing (its temporary package is in the output folder) and before it ended;
 * at least half of them must. PPKG_ATOMIC_SEED / PPKG_ATOMIC_KILLS override
 * the defaults.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_PREFIX } from '../../server/src/fs/atomicWrite';
import { buildableProject, secretEnv, SENTINELS, writeBuildable } from './corpus/buildable';
import { makeTestPfx } from '../support/testCa';
import { BIN, ROOT, diffSnapshots, runChild, sandbox, snapshot } from './corpus/sandbox';
import { Prng } from './fuzz/prng';

const SEED = process.env.PPKG_ATOMIC_SEED ? Number(process.env.PPKG_ATOMIC_SEED) >>> 0 : 7;
const KILLS = process.env.PPKG_ATOMIC_KILLS ? Number(process.env.PPKG_ATOMIC_KILLS) : 8;
const OUTPUTS = ['Reliability Build.ppkg', 'customizations.xml', 'build-report.json', '.gitignore', '.ppkg-output'];
const summary = { seed: SEED, kills: 0, killedWhileWriting: 0, completedBeforeKill: 0, vanishingInstaller: 0, tempFilesSeen: 0, writeMs: 0 };

before(() => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
});
after(() => {
  mkdirSync(join(ROOT, 'test-results/reliability'), { recursive: true });
  writeFileSync(join(ROOT, 'test-results/reliability/atomic.json'), JSON.stringify(summary, null, 2) + '\n');
});

function spawnBuild(cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'build', 'p.ppkg.json', '--out', 'out'], {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) =>
    child.on('exit', (code, signal) => resolvePromise({ code, signal })),
  );
  return { child, done, stderr: () => stderr };
}

/** True once the build's temporary package is in `out` (it has started writing); false if it exits first. */
async function writingStarted(out: string, done: Promise<unknown>): Promise<boolean> {
  let exited = false;
  void done.then(() => (exited = true));
  for (;;) {
    const names = existsSync(out) ? readdirSync(out) : [];
    if (names.some((n) => n.startsWith(TEMP_PREFIX) && n.endsWith('.ppkg'))) return true;
    if (exited) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
}

function readOutputs(dir: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const f of OUTPUTS) if (existsSync(join(dir, f))) m.set(f, readFileSync(join(dir, f)));
  return m;
}

/** Every output is exactly one of the complete versions; report sans its timestamp. */
function assertWhole(out: string, versions: Map<string, Buffer>[], label: string) {
  for (const f of OUTPUTS) {
    const bytes = readFileSync(join(out, f));
    if (f === 'build-report.json') {
      const parsed = JSON.parse(bytes.toString('utf8')) as { builtAt?: string };
      delete parsed.builtAt;
      const ok = versions.some((v) => {
        const o = JSON.parse(v.get(f)!.toString('utf8')) as { builtAt?: string };
        delete o.builtAt;
        return JSON.stringify(o) === JSON.stringify(parsed);
      });
      assert.ok(ok, `${label}: build-report.json is not a complete report of either build`);
    } else {
      assert.ok(
        versions.some((v) => v.get(f)!.equals(bytes)),
        `${label}: ${f} (${bytes.length} bytes) is neither the previous nor the new complete file`,
      );
    }
  }
  for (const name of readdirSync(out)) {
    if (OUTPUTS.includes(name)) continue;
    assert.ok(name.startsWith(TEMP_PREFIX), `${label}: unexpected file ${name} in the output folder`);
    summary.tempFilesSeen++;
  }
}

test(
  `SIGKILL at ${KILLS} seeded points (seed ${SEED}) and a vanishing installer: outputs stay whole, nothing written outside`,
  { timeout: 180_000 },
  async (t) => {
    const rng = new Prng(SEED);
    const box = sandbox('ppkg-atomic-');
    try {
      const dir = join(box.root, 'project');
      mkdirSync(dir);
      writeBuildable(dir, {}, 12 * 1024 * 1024);
      // A real PKCS#12 that the sentinel password opens: the build checks it.
      writeFileSync(join(dir, 'certs/client.pfx'), makeTestPfx(SENTINELS['client-pfx-password']));
      const env = secretEnv();
      const t0 = performance.now();
      const first = spawnBuild(dir, env);
      assert.ok(await writingStarted(join(dir, 'out'), first.done), 'the first build wrote its package through a temporary file');
      const tWriting = performance.now();
      const firstEnd = await first.done;
      const buildMs = performance.now() - t0;
      const writeMs = performance.now() - tWriting;
      summary.writeMs = Math.round(writeMs);
      assert.equal(firstEnd.code, 0, first.stderr());
      const v1 = readOutputs(join(dir, 'out'));

      // The next version of the project, built once elsewhere for reference.
      writeFileSync(join(dir, 'p.ppkg.json'), JSON.stringify(buildableProject({ version: '1.1' }), null, 2) + '\n');
      const ref = await runChild(['build', 'p.ppkg.json', '--out', 'ref-out'], dir, env);
      assert.equal(ref.code, 0, ref.stderr);
      const v2 = readOutputs(join(dir, 'ref-out'));
      assert.ok(!v1.get(OUTPUTS[0]!)!.equals(v2.get(OUTPUTS[0]!)!), 'the two versions differ');
      execFileSync('rm', ['-rf', join(dir, 'ref-out')]);

      const outside = () => new Map([...snapshot(box.root)].filter(([k]) => !k.startsWith('project/out')));
      const before = outside();
      for (let i = 0; i < KILLS; i++) {
        const vanish = i % 4 === 3;
        const b = spawnBuild(dir, env);
        if (vanish) {
          const delay = rng.int(Math.round(buildMs * 1.1));
          const label = `#${i} (seed ${SEED}, installer removed after ${delay} ms)`;
          await new Promise((r) => setTimeout(r, delay));
          renameSync(join(dir, 'installers/agent.msi'), join(box.root, 'agent.msi.away'));
          const end = await b.done;
          renameSync(join(box.root, 'agent.msi.away'), join(dir, 'installers/agent.msi'));
          summary.vanishingInstaller++;
          assert.ok(end.code === 0 || end.code === 1 || end.code === 2, `${label}: exit ${end.code} ${end.signal}`);
          if (end.code !== 0) assert.match(b.stderr(), /agent\.msi/, `${label}: the refusal names the installer`);
          assert.doesNotMatch(b.stderr(), /^\s+at .+:\d+:\d+/m, `${label}: stack trace`);
          assert.doesNotMatch(b.stderr(), /\.ppkg-tmp-|ENOENT|internal error/, `${label}: temp-file name or raw code in the message`);
          assertWhole(join(dir, 'out'), [v1, v2], label);
        } else {
          // Kill while it writes: after its temporary package appears, within the time writing takes.
          const writing = await writingStarted(join(dir, 'out'), b.done);
          const delay = rng.int(Math.max(1, Math.round(writeMs * 0.8)));
          const label = `#${i} (seed ${SEED}, SIGKILL ${delay} ms after writing started)`;
          if (writing) await new Promise((r) => setTimeout(r, delay));
          b.child.kill('SIGKILL');
          const end = await b.done;
          summary.kills++;
          if (!writing) summary.completedBeforeKill++;
          else if (end.signal === 'SIGKILL') summary.killedWhileWriting++;
          else summary.completedBeforeKill++;
          assertWhole(join(dir, 'out'), [v1, v2], label);
        }
        assert.deepEqual(diffSnapshots(before, outside()), [], `#${i}: something outside the output folder changed`);
      }
      const required = Math.ceil(summary.kills / 2);
      assert.ok(
        summary.killedWhileWriting >= required,
        `only ${summary.killedWhileWriting} of ${summary.kills} kills landed while the build was writing (at least ${required} needed; writing took ≈ ${Math.round(writeMs)} ms)`,
      );

      // A complete build afterwards: the new version, and no temporary file left behind.
      const last = await runChild(['build', 'p.ppkg.json', '--out', 'out'], dir, env);
      assert.equal(last.code, 0, last.stderr);
      assertWhole(join(dir, 'out'), [v2], 'final build');
      assert.deepEqual(
        readdirSync(join(dir, 'out')).filter((n) => n.startsWith(TEMP_PREFIX)),
        [],
        'stale temporary files were removed',
      );
      t.diagnostic(
        `seed ${SEED}: ${summary.kills} kills (${summary.killedWhileWriting} while writing), ${summary.vanishingInstaller} vanishing installers, ${summary.tempFilesSeen} temp files seen, build ≈ ${Math.round(buildMs)} ms`,
      );
    } finally {
      box.cleanup();
    }
  },
);
