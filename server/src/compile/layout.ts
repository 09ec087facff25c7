/**
 * Compiled groups → the files of a package, laid out as ICD lays them out
 * (docs/compiled-forms.md, "Package layout"):
 *
 * - device groups in ICD's order, numbered from 0, in `Prov/RunTime/` and
 *   `Prov/RunTime.xml`; user-scoped groups after them, the count going on, in
 *   `Prov/User_RunTime/` and `Prov/User_RunTime.xml`;
 * - SettingsGroup repeats suffixed `_0`, `_1`, … per GUID;
 * - data assets numbered from 0 across all kinds in RunTime order, each
 *   kind's DataAsset element numbered from 2 in order of first use;
 * - the fixed skeleton: Multivariant.xml, MasterDatastore.xml,
 *   CommonSettings.xml (with each file's own BOM and declaration rules).
 */
import { compareSortKeys } from '../settings/groups';
import { DECLARATION, el, xmlDocument } from './icdXml';
import { assetFolder, provxml } from './provxml';
import type { CompiledGroup, PendingAsset } from './runtime';
import type { PackageEntry } from './types';

export interface LaidOutGroup {
  group: CompiledGroup;
  /** `<n>__<stem>.provxml` */
  file: string;
  /** The SettingsGroup with its repeat suffix. */
  settingsGroup: string;
  number: number;
}

export interface Layout {
  device: LaidOutGroup[];
  user: LaidOutGroup[];
  assets: { asset: PendingAsset; element: number; folder: string }[];
}

/** ICD's order: table groups sorted (settings/groups.ts), then csp settings in project order; device before user. */
export function layOut(groups: readonly CompiledGroup[]): Layout {
  const order = (scope: 'device' | 'user') => {
    const table = groups.filter((g) => g.scope === scope && g.origin === 'table');
    const sorted = table
      .map((g, i) => ({ g, i }))
      .sort((a, b) => compareSortKeys(a.g.sortKey, b.g.sortKey) || a.i - b.i)
      .map((x) => x.g);
    return [...sorted, ...groups.filter((g) => g.scope === scope && g.origin === 'csp')];
  };
  const repeats = new Map<string, number>();
  let n = 0;
  const place = (g: CompiledGroup): LaidOutGroup => {
    const seen = repeats.get(g.guid) ?? -1;
    repeats.set(g.guid, seen + 1);
    const number = n++;
    return { group: g, file: `${number}__${g.stem}.provxml`, settingsGroup: seen < 0 ? g.guid : `${g.guid}_${seen}`, number };
  };
  const device = order('device').map(place);
  const user = order('user').map(place);

  const assets: Layout['assets'] = [];
  const elements = new Map<string, number>();
  let fileNumber = 0;
  for (const laid of [...device, ...user]) {
    for (const asset of laid.group.assets) {
      asset.number = fileNumber++;
      let element = elements.get(asset.kind);
      if (element === undefined) elements.set(asset.kind, (element = elements.size + 2));
      assets.push({ asset, element, folder: assetFolder(asset.number, asset.input.sha256) });
    }
  }
  return { device, user, assets };
}

function configurationSource(groups: LaidOutGroup[], folder: 'RunTime' | 'User_RunTime'): Buffer {
  const sets = groups.map((g) =>
    el('ConfigurationSet', [
      ['Type', 'provxml'],
      ['SettingsGroup', g.settingsGroup],
      ['Data', `$(_prov)\\${folder}\\${g.file}`],
    ]),
  );
  return xmlDocument(el('ConfigurationSource', [['Version', '1.0']], sets, 'lines'), { bom: true, declaration: DECLARATION.utf8 });
}

function masterDatastore(withUser: boolean): Buffer {
  const source = (name: string) =>
    el(
      'ConfigurationSource',
      [
        ['Name', name],
        ['Path', `$(_prov)\\${name}.xml`],
      ],
      [el('EventList', [], [el('Event', [['Name', name]])])],
    );
  return xmlDocument(el('ConfigurationSourceList', [['Version', '1.0']], [source('RunTime'), ...(withUser ? [source('User_RunTime')] : [])]), {
    bom: true,
    declaration: DECLARATION.utf8,
  });
}

/** `<Elements Type="…"><Element Index="…">` with the element written on two lines (constant in 8/8). */
export function skeletonElements(type: 'Multivariant' | 'CommonSettings', index: number): Buffer {
  return xmlDocument(el('Elements', [['Type', type]], [el('Element', [['Index', String(index)]], [], 'lines')]), {
    bom: false,
    declaration: DECLARATION.upper,
  });
}

function dataAssetXml(assets: Layout['assets']): Buffer {
  const byElement = new Map<number, Layout['assets']>();
  for (const a of assets) byElement.set(a.element, [...(byElement.get(a.element) ?? []), a]);
  const elements = [...byElement.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([index, list]) =>
      el(
        'Element',
        [['Index', String(index)]],
        [
          el('Metadata', [
            ['Key', 'Name'],
            ['Value', list[0]!.asset.kind],
          ]),
          ...list.map((a) =>
            el('Metadata', [
              ['Key', `${a.folder}\\${a.asset.fileName}`],
              ['Value', a.asset.dataAssetValue],
            ]),
          ),
        ],
      ),
    );
  return xmlDocument(el('Elements', [['Type', 'DataAsset']], elements), { bom: false, declaration: DECLARATION.upper });
}

/** Every file of the package but customizations.xml and AnswerFile.xml. */
export function payloadEntries(layout: Layout): PackageEntry[] {
  const entries: PackageEntry[] = [];
  const buffer = (path: string, data: Buffer) => entries.push({ path, source: { kind: 'buffer', data } });
  for (const g of layout.device) buffer(`Multivariant/0/Prov/RunTime/${g.file}`, provxml(g.group));
  buffer('Multivariant/0/Prov/RunTime.xml', configurationSource(layout.device, 'RunTime'));
  if (layout.user.length) {
    for (const g of layout.user) buffer(`Multivariant/0/Prov/User_RunTime/${g.file}`, provxml(g.group));
    buffer('Multivariant/0/Prov/User_RunTime.xml', configurationSource(layout.user, 'User_RunTime'));
  }
  buffer('Multivariant/0/MasterDatastore.xml', masterDatastore(layout.user.length > 0));
  buffer('Multivariant/Multivariant.xml', skeletonElements('Multivariant', 0));
  buffer('CommonSettings/CommonSettings.xml', skeletonElements('CommonSettings', 1));
  if (layout.assets.length) {
    buffer('DataAsset/DataAsset.xml', dataAssetXml(layout.assets));
    for (const a of layout.assets) {
      const input = a.asset.input;
      entries.push({
        path: `DataAsset/${a.element}/${a.folder}/${a.asset.fileName}`,
        source: input.data ? { kind: 'buffer', data: input.data } : { kind: 'file', path: input.path! },
      });
    }
  }
  return entries;
}
