/**
 * The extension-host entry point of the ppkg VS Code suite (the
 * `extensionTestsPath` contract of @vscode/test-electron): `run()` loads the
 * tests into mocha and runs them. run.ts bundles this file (and the tests)
 * into out/electron/suite.js, which needs only `vscode` and `mocha` at run
 * time, so it can also be loaded by another extension host (code-server).
 */
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false });
  // Define suite()/test() as globals, then load the tests (bundled lazily by esbuild).
  mocha.suite.emit('pre-require', globalThis, 'ppkg-extension.test', mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./extension.test');
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
