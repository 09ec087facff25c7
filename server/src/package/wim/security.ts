/**
 * The security data at the start of the metadata resource, as ICD writes it
 * (docs/wim-container.md §Security data): two self-relative security descriptors
 * ([MS-DTYP] §2.4.6), index 0 on the root and index 1 on every file, none on
 * subdirectories.
 *
 *   0  O:BA G:SY D:(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)   the root
 *   1  O:BA G:SY D:(A;ID;FA;;;SY)(A;ID;FA;;;BA)           every file
 *
 * The DACLs are ICD's minus its last ACE. ICD copies the descriptors of its
 * temp folder, so its owner, group and third ACE are the SIDs of whoever
 * built the package: different on every machine, meaningless on the target
 * device. Asset files in real packages even carry arbitrary descriptors
 * (NULL DACLs, Everyone as owner), so Windows cannot depend on them. Here
 * the owner is BUILTIN\Administrators (what 1 of 8 ICD packages has) and the
 * group LocalSystem, well-known SIDs that mean the same on every device,
 * which also keeps the output independent of the build machine.
 *
 * Layout (wimlib `src/security.c`): total_length u32, num_entries u32, one
 * u64 size per descriptor, the descriptors back to back, zero padding to a
 * multiple of 8 (included in total_length).
 */

/** Security id of the root directory. */
export const ROOT_SECURITY_ID = 0;
/** Security id of every file. */
export const FILE_SECURITY_ID = 1;
/** Subdirectories carry no descriptor (`security_id` −1), as in ICD's packages. */
export const NO_SECURITY_ID = 0xffffffff;

const SE_DACL_PRESENT = 0x0004;
const SE_SELF_RELATIVE = 0x8000;
const SD_HEADER_SIZE = 20;
const ACL_REVISION = 2;
const ACL_HEADER_SIZE = 8;
const ACCESS_ALLOWED_ACE_TYPE = 0;
const OBJECT_INHERIT_ACE = 0x01;
const CONTAINER_INHERIT_ACE = 0x02;
const INHERITED_ACE = 0x10;
/** FA: FILE_ALL_ACCESS. */
const FILE_ALL_ACCESS = 0x001f01ff;

/** A SID from its authority and sub-authorities ([MS-DTYP] §2.4.2.2). */
function sid(authority: number, ...subAuthorities: number[]): Buffer {
  const b = Buffer.alloc(8 + 4 * subAuthorities.length);
  b[0] = 1; // revision
  b[1] = subAuthorities.length;
  b.writeUIntBE(authority, 2, 6); // identifier authority is big-endian
  subAuthorities.forEach((v, i) => b.writeUInt32LE(v, 8 + 4 * i));
  return b;
}

const NT_AUTHORITY = 5;
/** SY: S-1-5-18, LocalSystem. */
const SID_LOCAL_SYSTEM = sid(NT_AUTHORITY, 18);
/** BA: S-1-5-32-544, BUILTIN\Administrators. */
const SID_BUILTIN_ADMINISTRATORS = sid(NT_AUTHORITY, 32, 544);

function accessAllowedAce(flags: number, mask: number, who: Buffer): Buffer {
  const b = Buffer.alloc(8 + who.length);
  b[0] = ACCESS_ALLOWED_ACE_TYPE;
  b[1] = flags;
  b.writeUInt16LE(b.length, 2);
  b.writeUInt32LE(mask, 4);
  who.copy(b, 8);
  return b;
}

function acl(aces: Buffer[]): Buffer {
  const body = Buffer.concat(aces);
  const header = Buffer.alloc(ACL_HEADER_SIZE);
  header[0] = ACL_REVISION;
  header.writeUInt16LE(ACL_HEADER_SIZE + body.length, 2);
  header.writeUInt16LE(aces.length, 4);
  return Buffer.concat([header, body]);
}

/**
 * A self-relative descriptor with owner, group and DACL, laid out as Windows
 * returns them from a file: header, DACL, owner, group.
 */
function selfRelative(owner: Buffer, group: Buffer, dacl: Buffer): Buffer {
  const header = Buffer.alloc(SD_HEADER_SIZE);
  const daclAt = SD_HEADER_SIZE;
  const ownerAt = daclAt + dacl.length;
  const groupAt = ownerAt + owner.length;
  header[0] = 1; // revision
  header.writeUInt16LE(SE_SELF_RELATIVE | SE_DACL_PRESENT, 2); // 0x8004, as ICD's
  header.writeUInt32LE(ownerAt, 4);
  header.writeUInt32LE(groupAt, 8);
  header.writeUInt32LE(0, 12); // no SACL
  header.writeUInt32LE(daclAt, 16);
  return Buffer.concat([header, dacl, owner, group]);
}

function descriptor(aceFlags: number): Buffer {
  return selfRelative(
    SID_BUILTIN_ADMINISTRATORS,
    SID_LOCAL_SYSTEM,
    acl([accessAllowedAce(aceFlags, FILE_ALL_ACCESS, SID_LOCAL_SYSTEM), accessAllowedAce(aceFlags, FILE_ALL_ACCESS, SID_BUILTIN_ADMINISTRATORS)]),
  );
}

/** Index 0: inherited by files and subfolders below (OICIID). */
const ROOT_DESCRIPTOR = descriptor(OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | INHERITED_ACE);
/** Index 1: inherited from the parent (ID). */
const FILE_DESCRIPTOR = descriptor(INHERITED_ACE);

/** The security data block, ready to start the metadata resource. Its length is a multiple of 8. */
export function encodeSecurityData(): Buffer {
  const descriptors = [ROOT_DESCRIPTOR, FILE_DESCRIPTOR]; // indexes ROOT_SECURITY_ID, FILE_SECURITY_ID
  const unpadded = 8 + 8 * descriptors.length + descriptors.reduce((s, d) => s + d.length, 0);
  const total = (unpadded + 7) & ~7;
  const buf = Buffer.alloc(total); // zero padding
  buf.writeUInt32LE(total, 0);
  buf.writeUInt32LE(descriptors.length, 4);
  let at = 8;
  for (const d of descriptors) {
    buf.writeBigUInt64LE(BigInt(d.length), at);
    at += 8;
  }
  for (const d of descriptors) at += d.copy(buf, at);
  return buf;
}
