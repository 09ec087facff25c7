/**
 * The project's `csp` list: OMA-URI settings, the form Intune admins know
 * from custom configuration profiles, compiled straight into provxml. ICD has
 * no such setting, so each entry gets a group of ppkg's own (a file
 * `<n>__CSP_<path>.provxml` and a SettingsGroup derived from its URI; Windows
 * installs packages whose SettingsGroup values are not ICD's, docs/compiled-forms.md).
 *
 * OMA-URI → provxml: the characteristic path is the URI below
 * `./Vendor/MSFT/` (or `./Device/Vendor/MSFT/`, or a root CSP such as
 * `./DevDetail/`), its last segment the parm; `./User/Vendor/MSFT/` settings
 * are user-scoped (User_RunTime, `scope="User"`, as ICD writes user policies).
 * Formats map to the MSPROV datatypes: int → integer, bool → boolean,
 * chr and xml → string (an XML value is text, escaped once), b64 → binary.
 */
import type { CspSetting } from '../model/project';
import { isSecretReference } from '../model/secrets';
import { fileSafe, uuidV5 } from '../settings/groups';
import type { CompiledGroup, ProvDatatype, RuntimeContext } from './runtime';
import { secretText } from './types';
import { parseXmlFragment } from './xmlParse';

export interface ParsedCspUri {
  scope: 'device' | 'user';
  /** Characteristic types from the CSP's top node down to the parm's parent. */
  path: string[];
  parm: string;
}

/** Parses an OMA-URI; the reason in admin words when it is not one the package can carry. */
export function parseCspUri(uri: string): ParsedCspUri | { error: string } {
  const m = /^\.\/(?:(Device|User)\/)?Vendor\/MSFT\/(.+)$/.exec(uri) ?? /^\.\/()((?!Vendor\/|Device\/|User\/)[A-Za-z][A-Za-z0-9]*\/.+)$/.exec(uri);
  if (!m) return { error: `"${uri}" is not an OMA-URI of the form ./Device/Vendor/MSFT/<CSP>/…, ./User/Vendor/MSFT/<CSP>/… or ./Vendor/MSFT/<CSP>/….` };
  const segments = m[2]!.split('/');
  if (segments.length < 2 || segments.some((s) => s === '' || s === '.' || s === '..'))
    return { error: `"${uri}" needs a CSP node and a setting name, with no empty segment.` };
  if (segments.some((s) => /[\u0000-\u001f]/.test(s))) return { error: `"${uri}" contains a control character.` };
  const parm = segments.pop()!;
  return { scope: m[1] === 'User' ? 'user' : 'device', path: segments, parm };
}

const DATATYPE: Record<CspSetting['format'], ProvDatatype> = { int: 'integer', bool: 'boolean', chr: 'string', xml: 'string', b64: 'binary' };

/** The value of a csp entry as provxml text, or the reason it does not fit its format. */
export function cspValueText(format: CspSetting['format'], value: unknown): { text: string } | { error: string } {
  switch (format) {
    case 'int': {
      const t = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (/^-?\d+$/.test(t) && Number(t) >= -2147483648 && Number(t) <= 4294967295) return { text: t };
      return { error: 'An int setting takes a whole number (a 32-bit integer).' };
    }
    case 'bool':
      if (typeof value === 'boolean') return { text: String(value) };
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return { text: value.trim().toLowerCase() };
      return { error: 'A bool setting takes true or false.' };
    case 'b64':
      if (typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value.replace(/\s+/g, '')) && value.replace(/\s+/g, '').length % 4 === 0)
        return { text: value.replace(/\s+/g, '') };
      return { error: 'A b64 setting takes Base64 text.' };
    case 'xml':
      if (typeof value !== 'string') return { error: 'An xml setting takes the XML document as text.' };
      try {
        parseXmlFragment(value);
      } catch (err) {
        return { error: `The XML is not well-formed (${(err as Error).message}).` };
      }
      return { text: value };
    default:
      return typeof value === 'string' ? { text: value } : { error: 'A chr setting takes text.' };
  }
}

export function compileCsp(list: readonly CspSetting[], ctx: RuntimeContext): CompiledGroup[] {
  const groups: CompiledGroup[] = [];
  list.forEach((entry, i) => {
    const parsed = parseCspUri(entry.uri);
    if ('error' in parsed) {
      ctx.problems.push({ path: ['csp', i, 'uri'], code: 'PPKG060', message: parsed.error });
      return;
    }
    let raw: unknown = entry.value;
    if (isSecretReference(raw)) {
      try {
        raw = secretText(raw, ctx.secrets, ['csp', i, 'value']);
      } catch (err) {
        ctx.problems.push({ path: ['csp', i, 'value'], code: 'PPKG110', message: (err as Error).message });
        return;
      }
    }
    const value = cspValueText(entry.format, raw);
    if ('error' in value) {
      ctx.problems.push({
        path: ['csp', i, 'value'],
        code: 'PPKG061',
        message: isSecretReference(entry.value) ? `The secret "${entry.value.secret}" does not fit the format ${entry.format}.` : value.error,
      });
      return;
    }
    const name = [...parsed.path, parsed.parm].join('/');
    groups.push({
      group: `CSP/${name}`,
      // Not an ICD group: a GUID of ppkg's own, stable for the URI.
      guid: uuidV5(`ppkg-csp:${entry.uri}`),
      stem: `CSP_${[...parsed.path, parsed.parm].map(fileSafe).join('_')}`.slice(0, 180),
      scope: parsed.scope,
      sortKey: [],
      origin: 'csp',
      parms: [
        {
          path: parsed.path,
          name: parsed.parm,
          value: value.text,
          datatype: DATATYPE[entry.format],
          ...(parsed.scope === 'user' ? { scope: 'User' as const } : {}),
        },
      ],
      reloads: [],
      assets: [],
    });
  });
  return groups;
}
