/**
 * The extensionTestsPath that code-server's extension host loads: it runs the
 * electron suite (test/electron, bundled by its own run.ts into
 * out/electron/suite.js) unchanged, listens to mocha's runner for every test's
 * outcome, and writes them to the file named by PPKG_E2E_SUITE_RESULT, which
 * the e2e check reads. Bundled by the check into
 * out/electron-in-code-server/runner.js, inside the extension development
 * path (the repository), as @vscode/test-electron would have it.
 *
 * Environment (code-server's, inherited by the extension host):
 *   PPKG_E2E_SUITE         absolute path of out/electron/suite.js
 *   PPKG_E2E_SUITE_RESULT  where to write the SuiteResult JSON
 */
import fs from 'node:fs';

interface SuiteModule {
  run(): Promise<void>;
}
interface MochaTest {
  fullTitle(): string;
  duration?: number;
}
interface MochaRunner {
  on(event: 'pass' | 'pending', fn: (t: MochaTest) => void): MochaRunner;
  on(event: 'fail', fn: (t: MochaTest, err: Error) => void): MochaRunner;
}
interface MochaCtor {
  prototype: { run(this: unknown, fn?: (failures: number) => void): MochaRunner };
}

export interface SuiteResult {
  ok: boolean;
  error?: string;
  passed: string[];
  failed: { title: string; error: string }[];
  pending: string[];
  output: string;
}

export async function run(): Promise<void> {
  const suitePath = process.env.PPKG_E2E_SUITE;
  const resultPath = process.env.PPKG_E2E_SUITE_RESULT;
  if (!suitePath || !resultPath) throw new Error('PPKG_E2E_SUITE and PPKG_E2E_SUITE_RESULT must be set in the extension host environment');
  const result: SuiteResult = { ok: false, passed: [], failed: [], pending: [], output: '' };
  const output: string[] = [];
  const write = () => {
    result.output = output.join('\n');
    fs.writeFileSync(`${resultPath}.tmp`, JSON.stringify(result, null, 2));
    fs.renameSync(`${resultPath}.tmp`, resultPath);
  };

  // The suite's mocha (the same module instance: both resolve the repository's
  // node_modules/mocha): listen to each run's events, whatever the reporter.
  // mocha 12 is an ES module: require() gives its namespace (default = Mocha).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('mocha') as MochaCtor & { default?: MochaCtor; Mocha?: MochaCtor };
  const Mocha = mod.default ?? mod.Mocha ?? mod;
  if (typeof Mocha.prototype?.run !== 'function') throw new Error(`require('mocha') gave no Mocha class (keys: ${Object.keys(mod).join(', ')})`);
  const originalRun = Mocha.prototype.run;
  Mocha.prototype.run = function (this: unknown, fn?: (failures: number) => void) {
    const runner = originalRun.call(this, fn);
    runner.on('pass', (t) => result.passed.push(t.fullTitle()));
    runner.on('pending', (t) => result.pending.push(t.fullTitle()));
    runner.on('fail', (t, err) => result.failed.push({ title: t.fullTitle(), error: err?.stack ?? String(err) }));
    return runner;
  };
  const originalLog = console.log;
  console.log = (...args: unknown[]) => {
    output.push(args.map((a) => (typeof a === 'string' ? a : String(a))).join(' '));
    originalLog.apply(console, args);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const suite = require(suitePath) as SuiteModule;
    await suite.run();
    result.ok = result.failed.length === 0;
  } catch (err) {
    result.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    throw err;
  } finally {
    console.log = originalLog;
    Mocha.prototype.run = originalRun;
    write();
  }
}
