/**
 * The shape of the WCD setting table (table/*.ts): for each setting WCD can
 * write in customizations.xml, how ICD compiles it into a package.
 * docs/settings.md explains every field in admin terms.
 */

/** `datatype` of the compiled parm (docs/compiled-forms.md §provxml). */
export type CompiledType = 'string' | 'integer' | 'boolean';

/**
 * How WCD writes the value in customizations.xml, and so how a project
 * carries it:
 * - `text`: free text, copied verbatim (project: string);
 * - `bool`: `True`/`False` (project: true/false);
 * - `int`: a decimal number (project: number);
 * - `choice`: one of WCD's labels, compiled through `choices` (project: the label);
 * - `secret`: free text that is a credential (project: a secret reference);
 * - `file`: a path to a file shipped in the package as a data asset (project: a project-relative path).
 */
export type WcdValueKind = 'text' | 'bool' | 'int' | 'choice' | 'secret' | 'file';

export interface ValueChoice {
  /** The label WCD writes in customizations.xml. */
  label: string;
  /** The CSP value ICD compiles it to. */
  value: string;
  /** Set when this pair was not seen in an ICD-built package: why it is believed right. */
  believed?: string;
}

/** A file setting: ICD ships the file as a data asset (docs/compiled-forms.md §Data assets). */
export interface AssetDef {
  /** DataAsset element kind Name (the WCD leaf name). */
  kind: string;
  /** Characteristic type under `Provisioning/Assets/{<pkgid>}` (placeholders as in `csp`). */
  type: string;
  /** The Metadata Value of the file in DataAsset.xml. */
  dataAssetValue: string;
}

export interface SettingDef {
  /** WCD schema path of the leaf: list elements by name, no keys. */
  path: string;
  /**
   * The settings group: one provxml file and one RunTime.xml entry per
   * instance; its GUID is derived from this path (groups.ts).
   */
  group: string;
  /**
   * Characteristic path of the compiled parm; its last segment is the parm
   * name. `{User}` stands for the key value (or index) of the list element
   * named `User` in the instance; `$(__PackageID)` is literal (the engine
   * expands it).
   */
  csp: string;
  type: CompiledType;
  wcd: WcdValueKind;
  choices?: ValueChoice[];
  /** `exec="1"`: an Exec node of its CSP (CleanPC, WindowsLicensing). */
  exec?: true;
  /** Adds `Provisioning/ForceSettingReload/<parm> = 1` to the group's file. */
  reload?: true;
  /** User-scoped: compiled into User_RunTime.xml with `scope="User"` (docs/compiled-forms.md §provxml). */
  scope?: 'user';
  /** Compiled by code, not by this row alone (the WlanXml document, certificates). */
  compiler?: 'wlan' | 'certificate';
  asset?: AssetDef;
  /** Where ICD sorts the group when it is not its own path (docs/compiled-forms.md §Groups, files and order). */
  sortAs?: string;
  /**
   * Why the compiled form is right: `observed` rows were seen in ICD-built
   * packages; `believed` rows say where the form comes from.
   */
  evidence: { observed: string } | { believed: string };
  /** Hover and schema text: WCD's name for the setting, what it does on the device, Microsoft's page. */
  title: string;
  description: string;
  docs: string;
}

/** A list element of WCD's schema and how an instance is named. */
export interface ListDef {
  /** Schema path of the list element. */
  path: string;
  /** Its key attribute. */
  key: string;
  /**
   * How ICD names an instance in file names and characteristic paths: by its
   * key value (users, networks, certificates) or by its 0-based position in
   * the document (commands, command files, dependencies) (docs/compiled-forms.md §Groups, files and order).
   */
  identity: 'key' | 'index';
  /**
   * WCD's editor also writes a display `Name` attribute equal to the key;
   * ICD ignores it (AnswerFile.xml drops every Name attribute, docs/compiled-forms.md §CommonSettings).
   */
  displayName?: true;
}
