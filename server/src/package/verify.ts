/**
 * The native build's check of its own package: after the WIM is written (to
 * its temporary path) and before it is published, it is read back with the
 * engine's WIM reader and compared with what was compiled — every file, every
 * byte, every image property, and every compiled setting listed in RunTime.xml
 * present in its provxml. A package that would not do on the device what the
 * project says is never published.
 *
 * Generated files are compared byte for byte. Shipped files (installers,
 * images) are read back (on worker threads, side by side) and compared by
 * SHA-256 with the file the build hashed before compiling; the reader also
 * checks each one against the SHA-1 the WIM records.
 */
import type { CompileResult } from '../compile';
import { PpkgError } from '../errors';
import { childElements, parseXmlDocument, type XElement } from '../compile/xmlParse';
import { openWim, type WimArchive } from './wim/read';

/** The written package does not read back as compiled: a bug in ppkg's writer (category `tool`). */
export class PackageCheckError extends PpkgError {
  constructor(detail: string) {
    super(
      'tool',
      `Reading the written package back found a problem: ${detail}. The package was not published; the previous one is unchanged. This is a bug in ppkg: please report it.`,
    );
    this.name = 'PackageCheckError';
  }
}

/** Parms under every characteristic of a provxml file, as `path:name`. */
function parmsOf(el: XElement, prefix = ''): string[] {
  const out: string[] = [];
  for (const c of childElements(el)) {
    const type = c.attrs.find(([k]) => k === 'type')?.[1];
    const name = c.attrs.find(([k]) => k === 'name')?.[1];
    if (c.name === 'parm') out.push(`${prefix}:${name}`);
    else out.push(...parmsOf(c, `${prefix}/${type}`));
  }
  return out;
}

export async function verifyPackage(packagePath: string, compiled: CompileResult, signal?: AbortSignal): Promise<void> {
  let wim: WimArchive;
  try {
    wim = await openWim(packagePath);
  } catch (err) {
    throw new PackageCheckError(`the package does not open as a WIM (${(err as Error).message})`);
  }
  try {
    const files = new Map(wim.entries.filter((e) => !e.isDirectory).map((e) => [e.path, e]));
    const expected = new Set(compiled.entries.map((e) => e.path));
    for (const path of files.keys()) if (!expected.has(path)) throw new PackageCheckError(`${path} is in the package but was not compiled`);

    for (const entry of compiled.entries) if (!files.has(entry.path)) throw new PackageCheckError(`${entry.path} is missing`);
    // Shipped files are read back side by side on worker threads while the generated ones are compared here.
    const shipped = compiled.entries.flatMap((entry) => {
      if (entry.source.kind !== 'file') return [];
      const digest = wim.digestFile(files.get(entry.path)!, { signal });
      digest.catch(() => undefined); // awaited below, in order
      return [{ entry, source: entry.source.path, digest }];
    });
    for (const entry of compiled.entries) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      if (entry.source.kind !== 'buffer') continue;
      const data = await wim.readFile(files.get(entry.path)!);
      if (!data.equals(entry.source.data)) throw new PackageCheckError(`${entry.path} differs from what was compiled`);
    }
    for (const { entry, source, digest } of shipped) {
      const input = [...compiled.inputs.values()].find((f) => f.path === source);
      if (!input) throw new PackageCheckError(`${entry.path} comes from ${source}, which the build did not hash`);
      const { size, sha256 } = await digest;
      if (size !== input.size || sha256 !== input.sha256.toString('hex')) throw new PackageCheckError(`${entry.path} differs from ${source}`);
    }

    // Every setting RunTime.xml lists is there, with the parms it was compiled with.
    const groups = [
      ...(compiled.layout?.device ?? []).map((g) => ({ g, dir: 'RunTime' })),
      ...(compiled.layout?.user ?? []).map((g) => ({ g, dir: 'User_RunTime' })),
    ];
    for (const index of ['RunTime', 'User_RunTime']) {
      const listed = groups.filter((x) => x.dir === index);
      const indexEntry = files.get(`Multivariant/0/Prov/${index}.xml`);
      if (!indexEntry) {
        if (listed.length) throw new PackageCheckError(`Multivariant/0/Prov/${index}.xml is missing`);
        continue;
      }
      const sets = childElements(parseXmlDocument((await wim.readFile(indexEntry)).toString('utf8').replace(/^\ufeff/, '')));
      if (sets.length !== listed.length) throw new PackageCheckError(`${index}.xml lists ${sets.length} settings groups, ${listed.length} were compiled`);
      for (const { g } of listed) {
        const set = sets.find((s) => s.attrs.some(([k, v]) => k === 'Data' && v === `$(_prov)\\${index}\\${g.file}`));
        if (!set || !set.attrs.some(([k, v]) => k === 'SettingsGroup' && v === g.settingsGroup))
          throw new PackageCheckError(`${index}.xml does not list ${g.file} with SettingsGroup ${g.settingsGroup}`);
        const file = files.get(`Multivariant/0/Prov/${index}/${g.file}`);
        if (!file) throw new PackageCheckError(`${g.file} is missing`);
        const parms = parmsOf(parseXmlDocument((await wim.readFile(file)).toString('utf8').replace(/^\ufeff/, '')));
        const want = g.group.parms.length + g.group.reloads.length;
        if (parms.length !== want) throw new PackageCheckError(`${g.file} holds ${parms.length} settings, ${want} were compiled`);
      }
    }

    const props = new Map(wim.imageProperties);
    for (const [k, v] of [...compiled.imageProperties, ...compiled.trailingImageProperties]) {
      if (props.get(k) !== v)
        throw new PackageCheckError(`the image property ${k} is ${JSON.stringify(props.get(k) ?? null)}, ${JSON.stringify(v)} was compiled`);
    }
  } finally {
    await wim.close();
  }
}
