/**
 * A package laid out the way ICD lays out its packages
 * (docs/wim-container.md §Where we deliberately differ from ICD), built byte by byte: an unreferenced stub
 * after the header (a security block with the root's descriptor, an empty
 * root dentry, 16 zeros), XPRESS-compressed metadata, file resources
 * compressed or raw, an ICD-like root descriptor, file descriptor and an
 * asset's own descriptor (three), subdirectories without one, DOS names
 * left by NTFS tunnelling, two blobs nothing references (superseded
 * DataAsset.xml), and an asset file with a Zone.Identifier stream whose
 * unnamed data sits in an extra stream entry, as WIMGAPI writes it.
 */
import { assembleWim, dentry, defaultXml, metadataFor, securityData, securityDescriptor, type CraftFile } from './craft';

const USER = 'S-1-5-21-1004336348-1177238915-682003330-1001';
export const ROOT_SD = securityDescriptor(USER, `${USER.slice(0, -4)}513`, [
  ['S-1-5-18', 0x1f01ff, 0x13],
  ['S-1-5-32-544', 0x1f01ff, 0x13],
  [USER, 0x1f01ff, 0x13],
]);
export const FILE_SD = securityDescriptor(USER, `${USER.slice(0, -4)}513`, [
  ['S-1-5-18', 0x1f01ff, 0x10],
  ['S-1-5-32-544', 0x1f01ff, 0x10],
  [USER, 0x1f01ff, 0x10],
]);
export const ASSET_SD = securityDescriptor('S-1-1-0', 'S-1-1-0', [['S-1-5-11', 0x1301bf, 0x10]]);

const xml = (s: string) => Buffer.from('\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n' + s);
export const PKG = '9f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
export const ICD_FILES: CraftFile[] = [
  {
    path: 'Multivariant/Multivariant.xml',
    data: Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\r\n<Multivariant />'),
    securityId: 1,
    shortName: 'TEM-1A~2.TMP',
  },
  { path: 'Multivariant/0/MasterDatastore.xml', data: xml('<ConfigurationSourceList />'), securityId: 1 },
  {
    path: 'Multivariant/0/Prov/RunTime.xml',
    data: xml('<RunTime>' + '<ConfigurationSet />'.repeat(40) + '</RunTime>'),
    securityId: 1,
    shortName: 'RunTime.xml',
  },
  {
    path: 'Multivariant/0/Prov/RunTime/10__Policies.provxml',
    data: xml('<wap-provisioningdoc>' + '<characteristic type="Policy" />'.repeat(300) + '</wap-provisioningdoc>'),
    securityId: 1,
  },
  { path: 'Multivariant/0/Prov/RunTime/1__Accounts.provxml', data: xml('<wap-provisioningdoc />'), securityId: 1 },
  { path: 'CommonSettings/CommonSettings.xml', data: Buffer.from('x'.repeat(122)), securityId: 1 },
  { path: 'CommonSettings/1/AnswerFile.xml', data: xml('<Settings />'), securityId: 1, shortName: 'ICD_20~1.3' },
  { path: 'DataAsset/DataAsset.xml', data: Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\r\n<DataAssets />'), securityId: 1 },
  {
    path: `DataAsset/1/{${PKG}}/0_AbCd.ef=/install.cmd`,
    data: Buffer.from('msiexec /i agent.msi /qn\r\n'),
    securityId: 2,
    attributes: 0x20 | 0x80000,
    streams: [{ name: 'Zone.Identifier', data: Buffer.from('[ZoneTransfer]\r\nZoneId=3\r\n') }],
    dataInStreamEntry: true,
  },
];
// Subdirectories carry no descriptor (security id −1), as in ICD's packages: craft gives implied directories −1.

export function icdPackage(): Buffer {
  const { metadata, blobs } = metadataFor(ICD_FILES, [ROOT_SD, FILE_SD, ASSET_SD], 0);
  // The stub: a security block with the root's descriptor, an empty root dentry, 16 zeros.
  const stub = Buffer.concat([securityData([ROOT_SD]), dentry({ name: '', attributes: 0x10 }), Buffer.alloc(16)]);
  const superseded = [Buffer.from('<DataAssets><old/></DataAssets>'), Buffer.from('<DataAssets><older/></DataAssets>')];
  return assembleWim({
    stub,
    metadata: { data: metadata, compress: true },
    // Large XML compressed, small files raw, as ICD decides per file.
    blobs: [...blobs, ...superseded].map((data) => ({ data, compress: data.length > 1000 })),
    xml: defaultXml([
      ['NAME', 'Contoso'],
      ['DESCRIPTION', ''],
      ['NOTES', `VERSION=10.0.26100.2454;Source=Classic;;TargetSkus=Desktop;EncryptPackage=False;SignPackage=False;PackageID=${PKG};`],
      ['AUTHOR', ''],
      ['VERSION', '1.0'],
      ['ALTITUDE', '2000'],
      ['RESETCLEAR', '0'],
      ['PACKAGEID', `{${PKG}}`],
      ['WIMBOOT', '0'],
    ]),
  });
}
