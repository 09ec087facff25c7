/**
 * Regression: the outline (textDocument/documentSymbol) shows a plain-text
 * Wi-Fi key as the symbol's detail ("key" → "SENTINEL-…"), so it appears in VS Code's Outline
 * view and breadcrumbs. Expected: secret fields show no value (e.g. "secret" or the WCD term).
 * (Fixed in languageService/outline.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildableProject, writeBuildable } from './corpus/buildable';
import { ROOT, sandbox } from './corpus/sandbox';
import { RawLspClient } from './fuzz/lsp';

test('the outline never shows a plain-text secret value', { timeout: 60_000 }, async () => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
  const box = sandbox('ppkg-outline-');
  const client = RawLspClient.start(join(ROOT, 'dist/server.js'), { PATH: process.env.PATH }, 15_000);
  try {
    const dir = join(box.root, 'project');
    mkdirSync(dir);
    writeBuildable(dir);
    const p = buildableProject();
    const secrets = ['SENTINEL-OUTLINE-WIFI-1a', 'SENTINEL-OUTLINE-BPRT-2b', 'SENTINEL-OUTLINE-ADMIN-3c', 'SENTINEL-OUTLINE-PFX-4d'];
    (p.network as { wifi: Record<string, unknown> }).wifi.key = secrets[0];
    const account = p.account as { entra: Record<string, unknown>; localAdmin: Record<string, unknown> };
    account.entra.token = secrets[1];
    account.localAdmin.password = secrets[2];
    (p.certificates as Record<string, unknown>[])[1]!.password = secrets[3];
    const text = JSON.stringify(p, null, 2);
    writeFileSync(join(dir, 'p.ppkg.json'), text);
    const uri = pathToFileURL(join(dir, 'p.ppkg.json')).toString();
    await client.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).toString(),
      capabilities: { textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true } } },
    });
    client.notify('initialized', {});
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ppkg-project', version: 1, text } });
    const symbols = JSON.stringify(await client.request('textDocument/documentSymbol', { textDocument: { uri } }));
    for (const s of secrets) assert.ok(!symbols.includes(s), `the outline shows ${s}`);
    await client.stop();
  } finally {
    client.kill();
    box.cleanup();
  }
});
