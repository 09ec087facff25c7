/**
 * The @vscode/test-electron mocha suite (test/electron, owned by the language
 * server's author) inside code-server's extension host, since no Electron
 * VS Code can be had here. The workbench is opened with the extension
 * development payload VS Code's web build understands
 * (extensionDevelopmentPath + extensionTestsPath as vscode-remote URIs). As
 * with @vscode/test-electron (test/electron/run.ts), the development path is
 * the repository, whose dist/ bundles `npm run package` just built; the tests
 * path is a runner (test/electron-in-code-server/runner.ts) that loads
 * out/electron/suite.js unchanged and writes each test's outcome to a file.
 * (The tests must live inside the development path: VS Code hands `vscode`
 * only to code it can map to an extension.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import type { SuiteResult } from '../electron-in-code-server/runner';
import { buildElectronSuite } from '../electron/run';
import { ROOT, Session, waitUntil } from './support/session';

const HARNESS = path.join(ROOT, 'test', 'electron-in-code-server');
const RUNNER = path.join(ROOT, 'out', 'electron-in-code-server', 'runner.js');

describe('the electron mocha suite inside code-server', { timeout: 300000 }, () => {
  let s: Session | undefined;
  let failed = false;
  let resultFile = '';

  before(async () => {
    try {
      const suite = await buildElectronSuite();
      await esbuild.build({
        entryPoints: [path.join(HARNESS, 'runner.ts')],
        outfile: RUNNER,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        external: ['vscode', 'mocha'],
        logLevel: 'error',
      });
      resultFile = path.join(fs.mkdtempSync(path.join(ROOT, 'out', 'electron-in-code-server', 'result-')), 'result.json');
      s = await Session.start({
        name: 'electron-suite',
        env: { PPKG_E2E_SUITE: suite, PPKG_E2E_SUITE_RESULT: resultFile },
        installVsix: false,
        urlPayload: [
          ['extensionDevelopmentPath', `vscode-remote://{authority}${ROOT}`],
          ['extensionTestsPath', `vscode-remote://{authority}${RUNNER}`],
        ],
      });
    } catch (err) {
      failed = true;
      throw err;
    }
  });
  after(async () => {
    await s?.stop(failed);
    if (resultFile) fs.rmSync(path.dirname(resultFile), { recursive: true, force: true });
  });

  test("test/electron passes in code-server's extension host", async () => {
    if (!s) throw new Error('The VS Code session did not start');
    const session = s;
    try {
      const result = await waitUntil(
        'the suite to write its result',
        () => {
          if (!fs.existsSync(resultFile)) return false;
          return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as SuiteResult;
        },
        180000,
        500,
      );
      const lines = [
        ...result.passed.map((t) => `  ok    ${t}`),
        ...result.pending.map((t) => `  skip  ${t}`),
        ...result.failed.map((f) => `  FAIL  ${f.title}\n${f.error}`),
        result.error ? `  error: ${result.error}` : '',
      ].filter(Boolean);
      fs.writeFileSync(path.join(session.resultsDir, 'electron-suite-result.json'), JSON.stringify(result, null, 2));
      console.log(
        `    electron suite in code-server: ${result.passed.length} passed, ${result.failed.length} failed, ${result.pending.length} pending\n${lines.join('\n')}`,
      );
      assert.ok(result.passed.length + result.failed.length > 0, `The suite ran no tests: ${JSON.stringify(result)}`);
      assert.deepEqual(result.failed, [], `The electron suite fails in code-server:\n${lines.join('\n')}`);
      assert.ok(result.ok, `The electron suite did not finish cleanly: ${result.error}`);
    } catch (err) {
      failed = true;
      throw err;
    }
  });
});
