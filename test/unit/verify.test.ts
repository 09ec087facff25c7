/**
 * The native build's self-check (package/verify.ts): a package that differs
 * in any way from what was compiled — a file missing, extra or changed, an
 * installer that is not the one hashed, a setting missing from RunTime.xml, an
 * image property — is caught before it is published.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileProject, type CompileResult } from '../../server/src/compile';
import { PackageCheckError, verifyPackage } from '../../server/src/package/verify';
import { writeWim, type WimFileEntry } from '../../server/src/package/wim';

const work = mkdtempSync(join(tmpdir(), 'ppkg-verify-'));
after(() => rmSync(work, { recursive: true, force: true }));

const installer = join(work, 'agent.msi');
writeFileSync(installer, Buffer.alloc(100_000, 7));
const data = Buffer.alloc(100_000, 7);

function compiled(): CompileResult {
  const files = new Map([['apps/agent.msi', { path: installer, sha256: createHash('sha256').update(data).digest(), size: data.length }]]);
  return compileProject(
    {
      name: 'V',
      id: '{11111111-2222-3333-4444-555555555555}',
      version: '1.0',
      device: { name: 'V-%SERIAL%' },
      applications: [{ name: 'Agent', installer: 'apps/agent.msi', commandLine: 'msiexec /i agent.msi /qn' }],
      policies: { FileExplorer: { AllowOptionToShowNetwork: true } },
    },
    new Map(),
    { files },
  );
}

let n = 0;
async function write(c: CompileResult, entries: WimFileEntry[] = c.entries, props = c.imageProperties): Promise<string> {
  const out = join(work, `p${n++}.ppkg`);
  await writeWim(out, entries, { properties: props, trailingProperties: c.trailingImageProperties, timestamp: c.timestamp, guid: c.guid });
  return out;
}

async function refused(p: Promise<void>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof PackageCheckError && pattern.test(e.message) && /not published/.test(e.message));
}

test('a package as compiled passes', async () => {
  const c = compiled();
  await verifyPackage(await write(c), c);
});

test('a compiled file missing from the package, or one extra, is caught', async () => {
  const c = compiled();
  const without = c.entries.filter((e) => !e.path.endsWith('_CommandLine.provxml'));
  await refused(verifyPackage(await write(c, without), c), /ProvisioningCommands_PrimaryContext_Command_0_CommandLine\.provxml is missing/);
  const extra = [...c.entries, { path: 'Multivariant/0/Prov/RunTime/99__Evil.provxml', source: { kind: 'buffer' as const, data: Buffer.from('x') } }];
  await refused(verifyPackage(await write(c, extra), c), /99__Evil\.provxml is in the package but was not compiled/);
});

test('a generated file that differs by one byte is caught', async () => {
  const c = compiled();
  const changed = c.entries.map((e) =>
    e.path === 'Multivariant/0/Prov/RunTime.xml' && e.source.kind === 'buffer'
      ? { ...e, source: { kind: 'buffer' as const, data: Buffer.concat([e.source.data, Buffer.from(' ')]) } }
      : e,
  );
  await refused(verifyPackage(await write(c, changed), c), /RunTime\.xml differs from what was compiled/);
});

test('an installer that is not the file the build hashed is caught', async () => {
  const c = compiled();
  const other = join(work, 'other.msi');
  writeFileSync(other, Buffer.alloc(100_000, 8));
  const swapped = c.entries.map((e) => (e.source.kind === 'file' ? { ...e, source: { kind: 'file' as const, path: other } } : e));
  const pkg = await write(c, swapped);
  await refused(verifyPackage(pkg, c), /agent\.msi differs from/);
});

test('an image property that differs is caught; a file that is not a WIM is refused', async () => {
  const c = compiled();
  await refused(
    verifyPackage(
      await write(
        c,
        c.entries,
        c.imageProperties.map(([k, v]) => [k, k === 'ALTITUDE' ? '2000' : v]),
      ),
      c,
    ),
    /ALTITUDE is "2000", "5000" was compiled/,
  );
  const junk = join(work, 'junk.ppkg');
  writeFileSync(junk, 'not a wim');
  await refused(verifyPackage(junk, c), /does not open as a WIM/);
});

test('the user-scoped index is checked too', async () => {
  const c = compiled();
  const emptied = c.entries.map((e) =>
    e.path === 'Multivariant/0/Prov/User_RunTime.xml' && e.source.kind === 'buffer'
      ? {
          ...e,
          source: {
            kind: 'buffer' as const,
            data: Buffer.from('\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<ConfigurationSource Version="1.0">\r\n</ConfigurationSource>'),
          },
        }
      : e,
  );
  // The bytes differ, so the byte check fires first; with the compiled result changed alike, the listing check does.
  const c2 = { ...c, entries: emptied };
  await refused(verifyPackage(await write(c2), c2), /User_RunTime\.xml lists 0 settings groups, 1 were compiled/);
});
