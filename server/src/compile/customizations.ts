/**
 * The project's settings → WCD's `customizations.xml` (docs/provisioning.md
 * §customizations.xml and PackageConfig): root `<WindowsCustomizations>` without a namespace, `PackageConfig` in
 * the ICD package-config namespace (capital M), `Settings` in the provisioning
 * namespace holding `Customizations/Common` in WCD's schema order, then the
 * project's raw `Targets`/`Variant` XML. Written with ICD's byte conventions
 * (icdXml.ts), as ICD copies it into the package.
 *
 * Also `CommonSettings/1/AnswerFile.xml`, which ICD makes from the same
 * `<Settings>` element (docs/compiled-forms.md, "CommonSettings").
 */
import { DEFAULTS, type Project } from '../model/project';
import { DECLARATION, el, textEl, xmlDocument, type XmlElement, type XmlNode } from './icdXml';
import { orderedChildren, type SettingNode, type SettingsTree } from './settingsTree';
import { CompileError, NAMESPACE_PACKAGE_CONFIG, NAMESPACE_SETTINGS, secretText, type ResolvedSecrets } from './types';
import { localName, parseXmlFragment, XmlParseError, type XNode } from './xmlParse';

export interface CustomizationsOptions {
  secrets: ResolvedSecrets;
  /** How a project file path is written in the XML (see CompileInputs.customizationsPath). */
  filePath: (projectPath: string) => string;
}

/** PackageConfig values, shared with the image properties. */
export function packageConfig(project: Project): { id: string; name: string; version: string; owner: string; rank: number } {
  const bare = project.id.replace(/^\{|\}$/g, '');
  return { id: `{${bare}}`, name: project.name, version: project.version, owner: project.owner ?? DEFAULTS.owner, rank: project.rank ?? DEFAULTS.rank };
}

function settingElement(node: SettingNode, opts: CustomizationsOptions, dropNames: boolean): XmlElement {
  const attrs = dropNames ? node.attrs.filter(([k]) => k !== 'Name') : node.attrs;
  if (node.children.length)
    return el(
      node.name,
      attrs,
      orderedChildren(node).map((c) => settingElement(c, opts, dropNames)),
    );
  const leaf = node.leaf;
  if (!leaf) return el(node.name, attrs, [], 'inline');
  const text = leaf.file !== undefined ? opts.filePath(leaf.file) : secretText(leaf.value, opts.secrets, leaf.source);
  return textEl(node.name, text, attrs);
}

/** `Targets`/`Variant` XML as the project carries it. */
function rawNodes(project: Project): XmlNode[] {
  const raw = project.additionalCustomizationsXml;
  if (!raw?.trim()) return [];
  let nodes: XNode[];
  try {
    nodes = parseXmlFragment(raw);
  } catch (err) {
    const detail = err instanceof XmlParseError ? err.message : String(err);
    throw new CompileError(`additionalCustomizationsXml is not well-formed XML (${detail}).`, ['additionalCustomizationsXml'], 'PPKG100');
  }
  return nodes.map(toXmlNode).filter((n): n is XmlNode => n !== undefined);
}

function toXmlNode(n: XNode): XmlNode | undefined {
  if (n.type === 'comment') return { comment: n.text };
  if (n.type === 'cdata') return { cdata: n.text };
  if (n.type === 'text') return n.text.trim() ? { text: n.text } : undefined;
  const children = n.children.map(toXmlNode).filter((c): c is XmlNode => c !== undefined);
  return { name: n.name, attrs: n.attrs.map(([k, v]) => [k, v]), children, ...(children.length ? {} : { empty: 'self' as const }) };
}

function settingsElement(tree: SettingsTree, project: Project, opts: CustomizationsOptions, answerFile: boolean): XmlElement {
  const common = el(
    'Common',
    [],
    orderedChildren(tree.root).map((c) => settingElement(c, opts, answerFile)),
    'lines',
  );
  const customizations = el('Customizations', [], [common, ...(answerFile ? [] : rawNodes(project))]);
  return el('Settings', [['xmlns', NAMESPACE_SETTINGS]], [customizations]);
}

export function buildCustomizationsXml(project: Project, tree: SettingsTree, opts: CustomizationsOptions): Buffer {
  const pc = packageConfig(project);
  // PackageConfig in the order ICD writes it (docs/compiled-forms.md §customizations.xml in the package):
  // ID, Name, Version, OwnerType, Rank, Notes, Description.
  const config = el(
    'PackageConfig',
    [['xmlns', NAMESPACE_PACKAGE_CONFIG]],
    [
      // As the project writes it: WCD writes {guid}, PackageConfig.xsd also takes it without braces.
      textEl('ID', project.id),
      textEl('Name', pc.name),
      textEl('Version', pc.version),
      textEl('OwnerType', pc.owner),
      ...(project.rank !== undefined ? [textEl('Rank', String(project.rank))] : []),
      ...(project.notes !== undefined ? [textEl('Notes', project.notes)] : []),
      ...(project.description !== undefined ? [textEl('Description', project.description)] : []),
    ],
  );
  const root = el('WindowsCustomizations', [], [config, settingsElement(tree, project, opts, false)]);
  return xmlDocument(root, { bom: true, declaration: DECLARATION.utf8 });
}

/**
 * `CommonSettings/1/AnswerFile.xml`: the `<Settings>` element of
 * customizations.xml as the root, with every `Name` attribute (WCD's display
 * names) removed — secrets and source paths stay, as in ICD's (8/8).
 * Only native builds write it, and they refuse multivariant XML, so it holds
 * `Common` alone.
 */
export function buildAnswerFileXml(project: Project, tree: SettingsTree, opts: CustomizationsOptions): Buffer {
  return xmlDocument(settingsElement(tree, project, opts, true), { bom: true, declaration: DECLARATION.utf8 });
}

/** The local name of a parsed element (re-exported for import). */
export { localName };
