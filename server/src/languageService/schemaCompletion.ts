import { createScanner, SyntaxKind } from 'jsonc-parser';
import type { ASTNode, JSONDocument, PropertyASTNode } from 'vscode-json-languageservice';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type MarkupContent,
  type Range,
} from 'vscode-languageserver-types';

/**
 * vscode-json-languageservice's `doComplete` for our fixed schema, without
 * its per-request schema matching.
 *
 * `doComplete` finds the schemas of the cursor's object by validating the
 * document against the schema (`getMatchingSchemas`) on every request. Our
 * schema reaches every object through `properties`, `items` and `$ref` only
 * (no `anyOf` on the way to an object, no `allOf`, `oneOf`, `if`, `not`,
 * `patternProperties`, `propertyNames`), so the schema of an object depends
 * on its JSON path alone: the walk down the path from the root schema gives
 * exactly the one schema the validation would match. What `doComplete` then
 * builds from that schema (property names with their insert texts, enum
 * values, defaults, examples, `defaultSnippets`, booleans, fillers) depends
 * on the schema node, whether a value is inserted and the separator after
 * the cursor: those proposals are built once and cached per schema node.
 * The per-request steps (comment check, overwrite range, existing keys,
 * label de-duplication) are the same code as `doComplete`'s.
 *
 * `completeFromSchema` answers undefined where this is not known to match
 * `doComplete` (the caller asks `doComplete` then): a document with a syntax
 * error, a `$schema` that selects a built-in meta-schema or `$schema`'s own
 * value, an object under an `anyOf`, or a schema using keywords this does
 * not model.
 */

type Schema = Record<string, unknown> & {
  properties?: Record<string, unknown>;
  items?: unknown;
  additionalProperties?: unknown;
  anyOf?: unknown[];
  type?: unknown;
  enum?: unknown[];
  default?: unknown;
  const?: unknown;
  examples?: unknown[];
  defaultSnippets?: { label?: string; body?: unknown; bodyText?: string; markdownDescription?: string; description?: string }[];
  markdownDescription?: string;
  description?: string;
  markdownEnumDescriptions?: string[];
  enumDescriptions?: string[];
  enumSortTexts?: string[];
  enumDetails?: string[];
  deprecationMessage?: string;
  doNotSuggest?: boolean;
  completionDetail?: string;
  suggestSortText?: string;
};

/** Keywords that make the schema of a value depend on more than its path: with any of them on a path, ask json-ls. */
const PATH_DEPENDENT = [
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'patternProperties',
  'propertyNames',
  'dependencies',
  'dependentSchemas',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contains',
  'prefixItems',
  'uniqueItems',
];

/** The schema with local `$ref`s merged in, as vscode-json-languageservice's schema service resolves it. */
export function resolveSchema(schema: Record<string, unknown>): Schema {
  const root = structuredClone(schema) as Schema;
  const pointer = (ref: string): unknown => {
    let s: unknown = root;
    for (const seg of ref.split('/').slice(1))
      s = (s as Record<string, unknown> | undefined)?.[decodeURIComponent(seg).replace(/~1/g, '/').replace(/~0/g, '~')];
    return s;
  };
  const seen = new Set<unknown>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node as Record<string, unknown>;
    const refs = new Set<string>();
    while (typeof n.$ref === 'string') {
      const ref = n.$ref;
      delete n.$ref;
      if (!ref.startsWith('#') || refs.has(ref)) throw new Error(`unsupported $ref ${ref}`);
      refs.add(ref);
      const section = pointer(ref.slice(1));
      if (!section || typeof section !== 'object') throw new Error(`unresolved $ref ${ref}`);
      for (const key of Object.keys(section)) if (key !== 'id' && key !== '$id') n[key] = (section as Record<string, unknown>)[key];
    }
    for (const key of Object.keys(n)) visit(n[key]);
  };
  visit(root);
  return root;
}

interface Proposal {
  kind: CompletionItemKind;
  label: string;
  insertText: string;
  insertTextFormat: InsertTextFormat;
  filterText?: string;
  documentation?: string | MarkupContent;
  detail?: string;
  sortText?: string;
  command?: { title: string; command: string };
}

/** doComplete's answer for one schema, built from the schema alone (labels before de-duplication). */
export class SchemaCompleter {
  private readonly root: Schema;
  /** False when the schema uses a keyword this does not model anywhere: then every request goes to json-ls. */
  private readonly usable: boolean;
  private readonly propertyCache = new WeakMap<Schema, Map<string, Proposal[]>>();
  private readonly valueCache = new WeakMap<Schema, Map<string, { proposals: Proposal[]; types: Record<string, boolean> }>>();

  constructor(schema: Record<string, unknown>) {
    let root: Schema | undefined;
    try {
      root = resolveSchema(schema);
    } catch {
      root = undefined;
    }
    this.root = root ?? {};
    this.usable =
      !!root &&
      !usesKeyword(root, [
        'oneOf',
        'allOf',
        'not',
        'if',
        'patternProperties',
        'propertyNames',
        'dependencies',
        'dependentSchemas',
        'uniqueItems',
        'prefixItems',
      ]);
  }

  /**
   * What json-ls's doComplete answers at `offset`, or undefined when this
   * cannot tell (see the module comment). `doc` must be the parse of
   * `document`'s text, free of syntax errors.
   */
  complete(document: TextDocument, text: string, offset: number, doc: JSONDocument): CompletionList | undefined {
    if (!this.usable || !doc.root || !schemaIsOurs(doc.root)) return undefined;
    const result: CompletionList = { items: [], isIncomplete: false };
    let node: ASTNode | undefined = doc.getNodeFromOffset(offset, true);
    if (isInComment(text, node, offset)) return result;
    if (node && offset === node.offset + node.length && offset > 0) {
      const ch = text[offset - 1];
      if ((node.type === 'object' && ch === '}') || (node.type === 'array' && ch === ']')) node = node.parent;
    }
    const currentWord = getCurrentWord(text, offset);
    let overwriteStart: number;
    let overwriteEnd: number;
    if (node && isLiteral(node)) {
      overwriteStart = node.offset;
      overwriteEnd = node.offset + node.length;
    } else {
      overwriteStart = offset - currentWord.length;
      if (overwriteStart > 0 && text[overwriteStart - 1] === '"') overwriteStart--;
      overwriteEnd = offset;
    }
    const add = new Collector(result, document, overwriteStart, overwriteEnd);
    let addValue = true;
    let currentProperty: PropertyASTNode | undefined;
    if (node?.type === 'string') {
      const parent = node.parent;
      if (parent?.type === 'property' && parent.keyNode === node) {
        addValue = !parent.valueNode;
        currentProperty = parent;
        node = parent.parent;
      }
    }

    if (node?.type === 'object') {
      if (node.offset === offset) return result;
      const schemas = this.schemasOf(node);
      if (!schemas) return undefined;
      for (const p of node.properties) if (currentProperty !== p) add.proposed.set(p.keyNode.value, { label: '__' });
      const separatorAfter = addValue ? evaluateSeparatorAfter(text, overwriteEnd) : '';
      for (const s of schemas) for (const p of this.propertyProposals(s, addValue, separatorAfter)) add.add(p);
    }

    const types: Record<string, boolean> = {};
    let offsetForSeparator = offset;
    if (node && isLiteral(node)) {
      offsetForSeparator = node.offset + node.length;
      node = node.parent;
    }
    if (!node) {
      this.collectValues(this.root, '', add, types);
    } else {
      let parentKey: string | undefined;
      let container: ASTNode | undefined = node;
      if (node.type === 'property' && offset > (node.colonOffset || 0)) {
        const valueNode = node.valueNode;
        if (valueNode && offset > valueNode.offset + valueNode.length) container = undefined;
        else {
          parentKey = node.keyNode.value;
          container = node.parent;
        }
      }
      if (container && (parentKey !== undefined || container.type === 'array')) {
        if (parentKey === '$schema' && !container.parent) return undefined;
        const schemas = this.schemasOf(container);
        if (!schemas) return undefined;
        const separatorAfter = evaluateSeparatorAfter(text, offsetForSeparator);
        for (const s of schemas) {
          if (container.type === 'array' && s.items) {
            if (Array.isArray(s.items)) return undefined;
            this.collectValues(s.items as Schema, separatorAfter, add, types);
          }
          if (parentKey !== undefined) {
            const propertySchema = s.properties?.[parentKey];
            if (propertySchema) this.collectValues(propertySchema as Schema, separatorAfter, add, types);
            else if (s.additionalProperties) this.collectValues(s.additionalProperties as Schema, separatorAfter, add, types);
          }
        }
        if (types.boolean) {
          const [yes, no] = (BOOLEANS[separatorAfter] ??= [booleanProposal(true, separatorAfter), booleanProposal(false, separatorAfter)]);
          add.add(yes);
          add.add(no);
        }
        if (types.null)
          add.add({
            kind: suggestionKind('null'),
            label: 'null',
            insertText: 'null' + separatorAfter,
            insertTextFormat: InsertTextFormat.Snippet,
            documentation: '',
          });
      }
    }

    if (result.items.length === 0) {
      const separatorAfter = evaluateSeparatorAfter(text, offsetForSeparator);
      if (types.object)
        add.add({
          kind: suggestionKind('object'),
          label: '{}',
          insertText: guessedValue({}, separatorAfter),
          insertTextFormat: InsertTextFormat.Snippet,
          detail: 'New object',
          documentation: '',
        });
      if (types.array)
        add.add({
          kind: suggestionKind('array'),
          label: '[]',
          insertText: guessedValue([], separatorAfter),
          insertTextFormat: InsertTextFormat.Snippet,
          detail: 'New array',
          documentation: '',
        });
    }
    return result;
  }

  /**
   * The schemas json-ls's validation matches to a container node: the walk
   * from the root schema down the node's path. [] when the path leaves the
   * schema (no completions); undefined when a schema on the way makes the
   * match depend on more than the path.
   */
  private schemasOf(container: ASTNode): Schema[] | undefined {
    // The containers from the root down to this one.
    const chain: ASTNode[] = [];
    for (let n: ASTNode | undefined = container; n; n = n.parent) if (n.type !== 'property') chain.push(n);
    chain.reverse();
    let schema: Schema = this.root;
    for (let i = 0; ; i++) {
      if (this.pathDependent(schema)) return undefined;
      if (i === chain.length - 1) return [schema];
      const n = chain[i];
      const child = chain[i + 1];
      let next: unknown;
      if (n.type === 'object') {
        const property = child.parent;
        if (property?.type !== 'property') return undefined;
        const key = property.keyNode.value;
        // Of properties with the same key, json-ls validates the last one only.
        for (let k = n.properties.length - 1; k >= 0; k--) {
          if (n.properties[k].keyNode.value !== key) continue;
          if (n.properties[k] !== property) return [];
          break;
        }
        const props = schema.properties;
        next =
          props && Object.prototype.hasOwnProperty.call(props, key)
            ? props[key]
            : typeof schema.additionalProperties === 'object'
              ? schema.additionalProperties
              : undefined;
      } else if (n.type === 'array') {
        if (Array.isArray(schema.items)) return undefined;
        next = schema.items;
      }
      if (!next || typeof next !== 'object') return [];
      schema = next as Schema;
    }
  }

  private readonly dependence = new WeakMap<Schema, boolean>();

  /** Whether the schema has a keyword that makes what it matches depend on content (cached per schema node). */
  private pathDependent(schema: Schema): boolean {
    let d = this.dependence.get(schema);
    if (d === undefined) this.dependence.set(schema, (d = usesKeyword(schema, PATH_DEPENDENT, false)));
    return d;
  }

  private propertyProposals(schema: Schema, addValue: boolean, separatorAfter: string): Proposal[] {
    let bySeparator = this.propertyCache.get(schema);
    if (!bySeparator) this.propertyCache.set(schema, (bySeparator = new Map()));
    const key = `${addValue}\u0000${separatorAfter}`;
    let proposals = bySeparator.get(key);
    if (!proposals) {
      proposals = [];
      for (const [name, value] of Object.entries(schema.properties ?? {})) {
        const propertySchema = value as Schema;
        if (typeof propertySchema !== 'object' || propertySchema === null || propertySchema.deprecationMessage || propertySchema.doNotSuggest) continue;
        const proposal: Proposal = {
          kind: CompletionItemKind.Property,
          label: name,
          insertText: insertTextForProperty(name, propertySchema, addValue, separatorAfter),
          insertTextFormat: InsertTextFormat.Snippet,
          filterText: JSON.stringify(name),
          documentation: fromMarkup(propertySchema.markdownDescription) || propertySchema.description || '',
        };
        if (propertySchema.completionDetail !== undefined) proposal.detail = propertySchema.completionDetail;
        if (propertySchema.suggestSortText !== undefined) proposal.sortText = propertySchema.suggestSortText;
        if (proposal.insertText && proposal.insertText.endsWith(`$1${separatorAfter}`))
          proposal.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
        proposals.push(proposal);
      }
      bySeparator.set(key, proposals);
    }
    return proposals;
  }

  /** addSchemaValueCompletions of json-ls, cached per schema node and separator. */
  private collectValues(schema: Schema, separatorAfter: string, add: Collector, types: Record<string, boolean>): void {
    if (typeof schema !== 'object' || schema === null) return;
    let bySeparator = this.valueCache.get(schema);
    if (!bySeparator) this.valueCache.set(schema, (bySeparator = new Map()));
    let cached = bySeparator.get(separatorAfter);
    if (!cached) {
      const proposals: Proposal[] = [];
      const t: Record<string, boolean> = {};
      valueProposals(schema, separatorAfter, proposals, t);
      cached = { proposals, types: t };
      bySeparator.set(separatorAfter, cached);
    }
    for (const p of cached.proposals) add.add(p);
    for (const t of Object.keys(cached.types)) types[t] = true;
  }
}

function valueProposals(schema: Schema, separatorAfter: string, out: Proposal[], types: Record<string, boolean>): void {
  if (typeof schema !== 'object' || schema === null) return;
  enumProposals(schema, separatorAfter, out);
  defaultProposals(schema, separatorAfter, out);
  collectTypes(schema, types);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[k];
    if (Array.isArray(list)) for (const s of list) valueProposals(s as Schema, separatorAfter, out, types);
  }
}

function enumProposals(schema: Schema, separatorAfter: string, out: Proposal[]): void {
  if (schema.const !== undefined) {
    out.push({
      kind: suggestionKind(schema.type),
      label: JSON.stringify(schema.const),
      insertText: insertTextForValue(schema.const, separatorAfter),
      insertTextFormat: InsertTextFormat.Snippet,
      documentation: fromMarkup(schema.markdownDescription) || schema.description,
    });
  }
  if (Array.isArray(schema.enum)) {
    for (let i = 0; i < schema.enum.length; i++) {
      const value = schema.enum[i];
      let documentation: string | MarkupContent | undefined = fromMarkup(schema.markdownDescription) || schema.description;
      if (schema.markdownEnumDescriptions && i < schema.markdownEnumDescriptions.length) documentation = fromMarkup(schema.markdownEnumDescriptions[i]);
      else if (schema.enumDescriptions && i < schema.enumDescriptions.length) documentation = schema.enumDescriptions[i];
      out.push({
        kind: suggestionKind(schema.type),
        label: JSON.stringify(value),
        insertText: insertTextForValue(value, separatorAfter),
        insertTextFormat: InsertTextFormat.Snippet,
        sortText: schema.enumSortTexts?.[i],
        detail: schema.enumDetails?.[i],
        documentation,
      });
    }
  }
}

function defaultProposals(schema: Schema, separatorAfter: string, out: Proposal[], arrayDepth = 0): void {
  let hasProposals = false;
  if (schema.default !== undefined) {
    let type = schema.type;
    let value = schema.default;
    for (let i = arrayDepth; i > 0; i--) {
      value = [value];
      type = 'array';
    }
    out.push({
      kind: suggestionKind(type),
      label: JSON.stringify(value),
      insertText: insertTextForValue(value, separatorAfter),
      insertTextFormat: InsertTextFormat.Snippet,
      detail: 'Default value',
    });
    hasProposals = true;
  }
  if (Array.isArray(schema.examples)) {
    for (const example of schema.examples) {
      let type = schema.type;
      let value = example;
      for (let i = arrayDepth; i > 0; i--) {
        value = [value];
        type = 'array';
      }
      out.push({
        kind: suggestionKind(type),
        label: JSON.stringify(value),
        insertText: insertTextForValue(value, separatorAfter),
        insertTextFormat: InsertTextFormat.Snippet,
      });
      hasProposals = true;
    }
  }
  if (Array.isArray(schema.defaultSnippets)) {
    for (const s of schema.defaultSnippets) {
      let type = schema.type;
      let value = s.body;
      let label = s.label;
      let insertText: string;
      let filterText: string;
      if (value !== undefined) {
        for (let i = arrayDepth; i > 0; i--) value = [value];
        insertText = stringifyObject(value, '', snippetLiteral) + separatorAfter;
        filterText = JSON.stringify(value).replace(/\$\{\d+:([^}]+)\}|\$\d+/g, '$1');
        label = label || JSON.stringify(value).replace(/\$\{\d+:([^}]+)\}|\$\d+/g, '$1');
      } else if (typeof s.bodyText === 'string') {
        let prefix = '';
        let suffix = '';
        let indent = '';
        for (let i = arrayDepth; i > 0; i--) {
          prefix = prefix + indent + '[\n';
          suffix = suffix + '\n' + indent + ']';
          indent += '\t';
          type = 'array';
        }
        insertText = prefix + indent + s.bodyText.split('\n').join('\n' + indent) + suffix + separatorAfter;
        label = label || insertText;
        filterText = insertText.replace(/[\n]/g, '');
      } else {
        continue;
      }
      // As in json-ls: a body snippet's kind is the schema's type even when wrapped in arrays (its `type` is shadowed there).
      out.push({
        kind: suggestionKind(type),
        label: label!,
        documentation: fromMarkup(s.markdownDescription) || s.description,
        insertText,
        insertTextFormat: InsertTextFormat.Snippet,
        filterText,
      });
      hasProposals = true;
    }
  }
  if (!hasProposals && typeof schema.items === 'object' && schema.items !== null && !Array.isArray(schema.items) && arrayDepth < 5) {
    defaultProposals(schema.items as Schema, separatorAfter, out, arrayDepth + 1);
  }
}

function collectTypes(schema: Schema, types: Record<string, boolean>): void {
  if (Array.isArray(schema.enum) || schema.const !== undefined) return;
  const type = schema.type;
  if (Array.isArray(type)) for (const t of type) types[String(t)] = true;
  else if (type) types[String(type)] = true;
}

/** doComplete's collector: the first proposal of a label wins (later ones fill in its documentation and detail). */
class Collector {
  readonly proposed = new Map<string, CompletionItem>();
  private range?: Range;

  constructor(
    private readonly result: CompletionList,
    private readonly document: TextDocument,
    private readonly start: number,
    private readonly end: number,
  ) {}

  add(p: Proposal): void {
    let label = p.label;
    const existing = this.proposed.get(label);
    if (!existing) {
      if (label.includes('\n')) label = label.replace(/[\n]/g, '↵');
      if (label.length > 60) {
        const shortened = label.substr(0, 57).trim() + '...';
        if (!this.proposed.has(shortened)) label = shortened;
      }
      this.range ??= { start: this.document.positionAt(this.start), end: this.document.positionAt(this.end) };
      const item: CompletionItem = { ...p, label, textEdit: { range: this.range, newText: p.insertText } };
      this.proposed.set(label, item);
      this.result.items.push(item);
    } else {
      if (!existing.documentation) existing.documentation = p.documentation;
      if (!existing.detail) existing.detail = p.detail;
    }
  }
}

/** The true/false proposals per separator (built once). */
const BOOLEANS: Record<string, [Proposal, Proposal]> = {};

function booleanProposal(value: boolean, separatorAfter: string): Proposal {
  return {
    kind: suggestionKind('boolean'),
    label: value ? 'true' : 'false',
    insertText: insertTextForValue(value, separatorAfter),
    insertTextFormat: InsertTextFormat.Snippet,
    documentation: '',
  };
}

function fromMarkup(markup: string | undefined): MarkupContent | undefined {
  return markup ? { kind: MarkupKind.Markdown, value: markup } : undefined;
}

function suggestionKind(type: unknown): CompletionItemKind {
  if (Array.isArray(type)) type = type.length > 0 ? type[0] : undefined;
  if (!type) return CompletionItemKind.Value;
  switch (type) {
    case 'object':
      return CompletionItemKind.Module;
    case 'property':
      return CompletionItemKind.Property;
    default:
      return CompletionItemKind.Value;
  }
}

function plainText(text: string): string {
  return text.replace(/[\\$}]/g, '\\$&');
}

function insertTextForValue(value: unknown, separatorAfter: string): string {
  const text = JSON.stringify(value, null, '\t');
  if (text === '{}') return '{$1}' + separatorAfter;
  if (text === '[]') return '[$1]' + separatorAfter;
  return plainText(text + separatorAfter);
}

function snippetLiteral(value: unknown): string {
  if (typeof value === 'string' && value[0] === '^') return value.substr(1);
  return JSON.stringify(value);
}

function stringifyObject(obj: unknown, indent: string, literal: (v: unknown) => string): string {
  if (obj !== null && typeof obj === 'object') {
    const newIndent = indent + '\t';
    if (Array.isArray(obj)) {
      if (obj.length === 0) return '[]';
      let result = '[\n';
      for (let i = 0; i < obj.length; i++) {
        result += newIndent + stringifyObject(obj[i], newIndent, literal);
        if (i < obj.length - 1) result += ',';
        result += '\n';
      }
      return result + indent + ']';
    }
    const keys = Object.keys(obj);
    if (keys.length === 0) return '{}';
    let result = '{\n';
    for (let i = 0; i < keys.length; i++) {
      result += newIndent + JSON.stringify(keys[i]) + ': ' + stringifyObject((obj as Record<string, unknown>)[keys[i]], newIndent, literal);
      if (i < keys.length - 1) result += ',';
      result += '\n';
    }
    return result + indent + '}';
  }
  return literal(obj);
}

function guessedValue(value: unknown, separatorAfter: string): string {
  switch (typeof value) {
    case 'object':
      if (value === null) return '${1:null}' + separatorAfter;
      return insertTextForValue(value, separatorAfter);
    case 'string': {
      let snippetValue = JSON.stringify(value);
      snippetValue = snippetValue.substr(1, snippetValue.length - 2);
      return '"${1:' + plainText(snippetValue) + '}"' + separatorAfter;
    }
    case 'number':
    case 'boolean':
      return '${1:' + JSON.stringify(value) + '}' + separatorAfter;
  }
  return insertTextForValue(value, separatorAfter);
}

function insertTextForProperty(key: string, propertySchema: Schema | undefined, addValue: boolean, separatorAfter: string): string {
  const propertyText = insertTextForValue(key, '');
  if (!addValue) return propertyText;
  const resultText = propertyText + ': ';
  let value: string | undefined;
  let nValueProposals = 0;
  if (propertySchema) {
    if (Array.isArray(propertySchema.defaultSnippets)) {
      if (propertySchema.defaultSnippets.length === 1) {
        const body = propertySchema.defaultSnippets[0].body;
        if (body !== undefined) value = stringifyObject(body, '', snippetLiteral);
      }
      nValueProposals += propertySchema.defaultSnippets.length;
    }
    if (propertySchema.enum) {
      if (!value && propertySchema.enum.length === 1) value = guessedValue(propertySchema.enum[0], '');
      nValueProposals += propertySchema.enum.length;
    }
    if (propertySchema.const !== undefined) {
      if (!value) value = guessedValue(propertySchema.const, '');
      nValueProposals++;
    }
    if (propertySchema.default !== undefined) {
      if (!value) value = guessedValue(propertySchema.default, '');
      nValueProposals++;
    }
    if (Array.isArray(propertySchema.examples) && propertySchema.examples.length) {
      if (!value) value = guessedValue(propertySchema.examples[0], '');
      nValueProposals += propertySchema.examples.length;
    }
    if (nValueProposals === 0) {
      let type = Array.isArray(propertySchema.type) ? propertySchema.type[0] : propertySchema.type;
      if (!type) {
        if (propertySchema.properties) type = 'object';
        else if (propertySchema.items) type = 'array';
      }
      switch (type) {
        case 'boolean':
          value = '$1';
          break;
        case 'string':
          value = '"$1"';
          break;
        case 'object':
          value = '{$1}';
          break;
        case 'array':
          value = '[$1]';
          break;
        case 'number':
        case 'integer':
          value = '${1:0}';
          break;
        case 'null':
          value = '${1:null}';
          break;
        default:
          return propertyText;
      }
    }
  }
  if (!value || nValueProposals > 1) value = '$1';
  return resultText + value + separatorAfter;
}

function isLiteral(node: ASTNode): boolean {
  return node.type === 'string' || node.type === 'number' || node.type === 'boolean' || node.type === 'null';
}

function getCurrentWord(text: string, offset: number): string {
  let i = offset - 1;
  while (i >= 0 && ' \t\n\r\v":{[,]}'.indexOf(text.charAt(i)) === -1) i--;
  return text.substring(i + 1, offset);
}

function evaluateSeparatorAfter(text: string, offset: number): string {
  const scanner = createScanner(text, true);
  scanner.setPosition(offset);
  switch (scanner.scan()) {
    case SyntaxKind.CommaToken:
    case SyntaxKind.CloseBraceToken:
    case SyntaxKind.CloseBracketToken:
    case SyntaxKind.EOF:
      return '';
    default:
      return ',';
  }
}

/**
 * json-ls's isInComment(document, node.offset, offset), which scans from the
 * start of the node: in a tree without syntax errors, the end of the node's
 * last child before the offset is also a token boundary outside any comment,
 * and the scan from there meets the same tokens.
 */
function isInComment(text: string, node: ASTNode | undefined, offset: number): boolean {
  let start = node ? node.offset : 0;
  // The last child that ends at or before the offset (children are in text order).
  const children: ASTNode[] = node?.children ?? [];
  let lo = 0;
  let hi = children.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const end = children[mid].offset + children[mid].length;
    if (end <= offset) {
      start = Math.max(start, end);
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const scanner = createScanner(text, false);
  scanner.setPosition(start);
  let token = scanner.scan();
  while (token !== SyntaxKind.EOF && scanner.getTokenOffset() + scanner.getTokenLength() < offset) token = scanner.scan();
  return (token === SyntaxKind.LineCommentTrivia || token === SyntaxKind.BlockCommentTrivia) && scanner.getTokenOffset() <= offset;
}

/** Whether json-ls uses the configured schema: no `$schema`, or one that is not a built-in meta-schema. */
function schemaIsOurs(root: ASTNode): boolean {
  if (root.type !== 'object') return true;
  for (const p of root.properties) {
    if (p.keyNode.value === '$schema' && p.valueNode?.type === 'string') return !/json-schema\.org/i.test(String(p.valueNode.value));
  }
  return true;
}

/** Whether a schema (deep: or any schema inside it) uses one of the keywords. Data (defaults, examples, snippets) and property names are not looked at. */
function usesKeyword(schema: unknown, keywords: string[], deep = true, seen = new Set<unknown>()): boolean {
  if (schema === null || typeof schema !== 'object' || seen.has(schema)) return false;
  seen.add(schema);
  if (Array.isArray(schema)) return deep && schema.some((s) => usesKeyword(s, keywords, true, seen));
  const s = schema as Record<string, unknown>;
  if (keywords.some((k) => Object.prototype.hasOwnProperty.call(s, k))) return true;
  if (!deep) return false;
  for (const [key, value] of Object.entries(s)) {
    if (DATA_KEYWORDS.has(key)) continue;
    if (SCHEMA_MAPS.has(key)) {
      if (value && typeof value === 'object' && Object.values(value).some((v) => usesKeyword(v, keywords, true, seen))) return true;
    } else if (usesKeyword(value, keywords, true, seen)) return true;
  }
  return false;
}

const DATA_KEYWORDS = new Set(['default', 'examples', 'enum', 'const', 'defaultSnippets', 'required', 'markdownEnumDescriptions', 'enumDescriptions']);
const SCHEMA_MAPS = new Set(['properties', 'definitions', '$defs', 'patternProperties', 'dependentSchemas']);
