/**
 * Atomic builds: `ppkg build` killed with SIGKILL at seeded random points, or
 * losing its installer mid-build, never leaves a partial file at an output
 * path: each output is byte-identical to the previous build or to a complete
 * new one; temporary files exist only inside the output folder under the
 * temp prefix, and the next build removes them. Nothing outside the output
 * folder changes. PPKG_ATOMIC_SEED / PPKG_ATOMIC_KILLS override the defaults.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_PREFIX } from '../../server/src/package/atomicWrite';
import { buildableProject, secretEnv, writeBuildable } from './corpus/buildable';
import { BIN, ROOT, diffSnapshots, runChild, sandbox, snapshot } from './corpus/sandbox';
import { Prng } from './fuzz/prng';

const SEED = process.env.PPKG_ATOMIC_SEED ? Number(process.env.PPKG_ATOMIC_SEED) >>> 0 : 7;
const KILLS = process.env.PPKG_ATOMIC_KILLS ? Number(process.env.PPKG_ATOMIC_KILLS) : 8;
const OUTPUTS = ['Reliability Build.ppkg', 'customizations.xml', 'build-report.json', '.gitignore'];
const summary = { seed: SEED, kills: 0, killedMidBuild: 0, completedBeforeKill: 0, vanishingInstaller: 0, tempFilesSeen: 0 };

before(() => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
});
after(() => {
  mkdirSync(join(ROOT, 'test-results/reliability'), { recursive: true });
  writeFileSync(join(ROOT, 'test-results/reliability/atomic.json'), JSON.stringify(summary, null, 2) + '\n');
});

function spawnBuild(cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'build', 'p.ppkg.json', '--out', 'out'], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) => child.on('exit', (code, signal) => resolvePromise({ code, signal })));
  return { child, done, stderr: () => stderr };
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
      assert.ok(versions.some((v) => v.get(f)!.equals(bytes)), `${label}: ${f} (${bytes.length} bytes) is neither the previous nor the new complete file`);
    }
  }
  for (const name of readdirSync(out)) {
    if (OUTPUTS.includes(name)) continue;
    assert.ok(name.startsWith(TEMP_PREFIX), `${label}: unexpected file ${name} in the output folder`);
    summary.tempFilesSeen++;
  }
}

test(`SIGKILL at ${KILLS} seeded points (seed ${SEED}) and a vanishing installer: outputs stay whole, nothing written outside`, { timeout: 180_000 }, async (t) => {
  const rng = new Prng(SEED);
  const box = sandbox('ppkg-atomic-');
  try {
    const dir = join(box.root, 'project');
    mkdirSync(dir);
    writeBuildable(dir, {}, 12 * 1024 * 1024);
    const env = secretEnv();
    const t0 = performance.now();
    const first = await runChild(['build', 'p.ppkg.json', '--out', 'out'], dir, env);
    const buildMs = performance.now() - t0;
    assert.equal(first.code, 0, first.stderr);
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
      const delay = rng.int(Math.round(buildMs * 1.1));
      const vanish = i % 4 === 3;
      const label = `#${i} (seed ${SEED}, ${vanish ? 'installer removed' : 'SIGKILL'} after ${delay} ms)`;
      const b = spawnBuild(dir, env);
      await new Promise((r) => setTimeout(r, delay));
      if (vanish) {
        renameSync(join(dir, 'installers/agent.msi'), join(box.root, 'agent.msi.away'));
        const end = await b.done;
        renameSync(join(box.root, 'agent.msi.away'), join(dir, 'installers/agent.msi'));
        summary.vanishingInstaller++;
        assert.ok(end.code === 0 || end.code === 1 || end.code === 2, `${label}: exit ${end.code} ${end.signal}`);
        if (end.code !== 0) assert.match(b.stderr(), /agent\.msi/, `${label}: the refusal names the installer`);
        assert.doesNotMatch(b.stderr(), /^\s+at .+:\d+:\d+/m, `${label}: stack trace`);
      } else {
        b.child.kill('SIGKILL');
        const end = await b.done;
        summary.kills++;
        if (end.signal === 'SIGKILL') summary.killedMidBuild++;
        else summary.completedBeforeKill++;
      }
      assertWhole(join(dir, 'out'), [v1, v2], label);
      assert.deepEqual(diffSnapshots(before, outside()), [], `${label}: something outside the output folder changed`);
    }

    // A complete build afterwards: the new version, and no temporary file left behind.
    const last = await runChild(['build', 'p.ppkg.json', '--out', 'out'], dir, env);
    assert.equal(last.code, 0, last.stderr);
    assertWhole(join(dir, 'out'), [v2], 'final build');
    assert.deepEqual(readdirSync(join(dir, 'out')).filter((n) => n.startsWith(TEMP_PREFIX)), [], 'stale temporary files were removed');
    t.diagnostic(`seed ${SEED}: ${summary.kills} kills (${summary.killedMidBuild} mid-build), ${summary.vanishingInstaller} vanishing installers, ${summary.tempFilesSeen} temp files seen, build ≈ ${Math.round(buildMs)} ms`);
  } finally {
    box.cleanup();
  }
});
