/**
 * Certificates → RootCATrustedCertificates (.cer/.crt) and
 * ClientCertificateInstall (.pfx), both with `scope="Device"` as ICD writes
 * them for these CSPs; the forms are believed, see the evidence of the table
 * rows (settings/table/network.ts).
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { InstanceSegment } from '../../settings/groups';
import type { SettingDef } from '../../settings/types';
import type { CompiledGroup, RuntimeContext } from '../runtime';
import { compileValue, describeLeaf } from '../values';
import type { LeafAt } from '../settingsTree';
import { secretText } from '../types';

/** A .cer/.crt file → DER bytes (PEM is unwrapped); undefined when it is not an X.509 certificate. */
export function certificateDer(data: Buffer): Buffer | undefined {
  const text = data.toString('latin1');
  const pem = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(text);
  const der = pem ? Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64') : data;
  try {
    new X509Certificate(der);
    return der;
  } catch {
    return undefined;
  }
}

const STORES: Record<string, string> = { RootCertificates: 'Root', CACertificates: 'CA', TrustedPeopleCertificates: 'TrustedPeople' };

export function compileCertificate(group: CompiledGroup, instance: InstanceSegment[], members: { leaf: LeafAt; def: SettingDef }[], ctx: RuntimeContext): void {
  const element = instance[instance.length - 1]!;
  const name = element.attrs.find(([k]) => k === 'CertificateName')?.[1] ?? '';
  const storeGroup = instance[instance.length - 2]!.name;
  const fileOf = (m: { leaf: LeafAt }) => {
    const p = m.leaf.leaf.file;
    const input = p !== undefined ? ctx.inputs.files.get(p) : undefined;
    if (!input?.data) {
      ctx.problems.push({ path: m.leaf.leaf.source, code: 'PPKG030', message: `${describeLeaf(m.leaf)}: the certificate file was not read before compiling.` });
      return undefined;
    }
    return input.data;
  };

  if (storeGroup !== 'ClientCertificates') {
    const m = members[0]!;
    const data = fileOf(m);
    if (!data) return;
    const der = certificateDer(data);
    if (!der) {
      ctx.problems.push({
        path: m.leaf.leaf.source,
        code: 'PPKG034',
        message: `"${m.leaf.leaf.file}" is not an X.509 certificate (DER or PEM). Export the certificate as .cer (DER or Base64).`,
      });
      return;
    }
    const thumbprint = createHash('sha1').update(der).digest('hex').toUpperCase();
    group.parms.push({
      path: ['RootCATrustedCertificates', STORES[storeGroup]!, thumbprint],
      name: 'EncodedCertificate',
      value: der.toString('base64'),
      datatype: 'string',
      scope: 'Device',
    });
    return;
  }

  // Client certificate: the parms in the order of their WCD leaves.
  const base = ['ClientCertificateInstall', 'PFXCertInstall', name];
  for (const m of members) {
    const leafName = m.leaf.path[m.leaf.path.length - 1]!.name;
    const parm = m.def.csp.split('/').pop()!;
    if (leafName === 'CertificatePath') {
      const data = fileOf(m);
      if (!data) return;
      group.parms.push({ path: base, name: parm, value: data.toString('base64'), datatype: 'string', scope: 'Device' });
      continue;
    }
    let text: string;
    try {
      text = secretText(m.leaf.leaf.value, ctx.secrets, m.leaf.leaf.source);
    } catch (err) {
      ctx.problems.push({ path: m.leaf.leaf.source, code: 'PPKG110', message: (err as Error).message });
      return;
    }
    const c = m.def.wcd === 'secret' ? { value: text } : compileValue(m.def, text, describeLeaf(m.leaf));
    if ('problem' in c) {
      ctx.problems.push({ path: m.leaf.leaf.source, code: 'PPKG111', message: c.problem });
      return;
    }
    group.parms.push({ path: base, name: parm, value: c.value, datatype: m.def.type, scope: 'Device' });
  }
}
