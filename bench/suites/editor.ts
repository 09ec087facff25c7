/**
 * 1. Edit to diagnostics and 2. completion, in process, against
 * vscode-json-languageservice configured with the same schema.
 *
 * Documents are generated with comments (JSONC, as admins keep them). The
 * headline validation line runs validateText without a project path, so no
 * side touches the disk (json-ls has no file checks); the file rules still
 * check the form of every path. An extra line runs the language service as
 * the server does, with the project file and its files on disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getLanguageService, type LanguageService } from 'vscode-json-languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { PROJECT_SCHEMA } from '../../server/src/validation/schema';
import { validateText } from '../../server/src/validation/validate';
import { generateProject, type GeneratedProject } from '../lib/generate';
import { ratioRow, skippedRow, type Row } from '../lib/result';
import { measurePair, type PairOptions } from '../lib/stats';

export const SIZES: { label: string; bytes: number; opts: PairOptions }[] = [
  { label: '2 KB', bytes: 2 * 1024, opts: { warmup: 30, runs: 51 } },
  { label: '100 KB', bytes: 100 * 1024, opts: { warmup: 8, runs: 21 } },
  { label: '1 MB', bytes: 1024 * 1024, opts: { warmup: 3, runs: 11 } },
];

const JSON_SETTINGS = { comments: 'ignore', trailingCommas: 'ignore' } as const;

function anchorService(): LanguageService {
  const ls = getLanguageService({});
  ls.configure({
    validate: true,
    allowComments: true,
    schemas: [{ uri: 'https://ppkg.dev/schemas/ppkg-project.schema.json', fileMatch: ['*.ppkg.json'], schema: PROJECT_SCHEMA }],
  });
  return ls;
}

/** The document and the same document after one keystroke-sized edit (a boolean toggled mid-file). */
function editedPair(g: GeneratedProject): [string, string] {
  const at = g.slots.value;
  const t = g.text;
  const edited = t.startsWith('true', at) ? t.slice(0, at) + 'false' + t.slice(at + 4) : t.slice(0, at) + 'true' + t.slice(at + 5);
  return [t, edited];
}

function materialize(dir: string, g: GeneratedProject, name: string): string {
  for (const f of new Set(g.files)) {
    const p = path.join(dir, f);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (!fs.existsSync(p)) fs.writeFileSync(p, 'x');
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, g.text);
  return file;
}

export async function runEditor(tmp: string, log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const now = new Date();
  const anchor = anchorService();

  // Our language service, when it has landed (server/src/languageService/service.ts).
  let Service: (new (o: { now?: () => Date }) => ServiceLike) | undefined;
  try {
    Service = (await import('../../server/src/languageService/service')).PpkgLanguageService as unknown as typeof Service;
  } catch (err) {
    log(`  language service not available: ${(err as Error).message.split('\n')[0]}`);
  }

  for (const size of SIZES) {
    const g = generateProject({ bytes: size.bytes, comments: true, now });
    const texts = editedPair(g);
    const sizeLabel = `${size.label} (${g.applications} apps)`;
    const dir = fs.mkdtempSync(path.join(tmp, 'editor-'));
    const file = materialize(dir, g, `bench-${size.bytes}.ppkg.json`);
    const uri = pathToFileURL(file).toString();
    let version = 0;
    const docFor = (i: number) => TextDocument.create(uri, 'jsonc', ++version, texts[i % 2]);

    // Sanity: both sides see a valid project.
    const oursCount = validateText(texts[1], { now: () => now }).diagnostics.length;
    const d = docFor(1);
    const anchorCount = (await anchor.doValidation(d, anchor.parseJSONDocument(d), JSON_SETTINGS)).length;
    log(`  ${size.label}: ${g.text.length} chars, ${g.applications} applications, ${g.files.length} files; diagnostics ours=${oursCount} json-ls=${anchorCount}`);

    // 1. Edit → diagnostics: re-parse and validate everything.
    log(`  1. edit → diagnostics, ${size.label}…`);
    const v = await measurePair(
      (i) => validateText(texts[i % 2], { now: () => now }),
      async (i) => {
        const doc = docFor(i);
        await anchor.doValidation(doc, anchor.parseJSONDocument(doc), JSON_SETTINGS);
      },
      size.opts,
    );
    rows.push(
      ratioRow({
        group: 1, name: 'Edit → diagnostics: validateText (parse, schema, every rule; no project path)', size: sizeLabel,
        ours: v.ours, anchor: v.anchor, anchorName: 'json-ls parseJSONDocument + doValidation',
        target: size.bytes >= 1024 * 1024 ? { kind: 'ratio', max: 0.5 } : undefined,
        info: size.bytes < 1024 * 1024,
      }),
    );

    if (!Service) {
      rows.push(skippedRow(2, `Completion (${size.label})`, 'server/src/languageService/ has not landed', { kind: 'ratio', max: 1 }));
      continue;
    }
    const service = new Service({ now: () => now });

    // The server's path: PpkgLanguageService.validate on a new version, files on disk (cached probe).
    const sv = await measurePair(
      (i) => service.validate(docFor(i)),
      async (i) => {
        const doc = docFor(i);
        await anchor.doValidation(doc, anchor.parseJSONDocument(doc), JSON_SETTINGS);
      },
      size.opts,
    );
    rows.push(
      ratioRow({
        group: 1, name: 'Edit → diagnostics in the server: PpkgLanguageService.validate (new version, files on disk)', size: sizeLabel,
        ours: sv.ours, anchor: sv.anchor, anchorName: 'json-ls parseJSONDocument + doValidation', info: true,
      }),
    );

    // 2. Completion at a property slot and a value slot of the middle application.
    for (const [slotName, offset] of [['property', g.slots.property], ['value', g.slots.value]] as const) {
      const fixed = TextDocument.create(uri, 'jsonc', ++version, texts[0]);
      const pos = fixed.positionAt(offset);
      const parsed = anchor.parseJSONDocument(fixed);
      const oursItems = (await service.complete(fixed, pos)).items.length;
      const anchorItems = (await anchor.doComplete(fixed, pos, parsed))?.items.length ?? 0;
      log(`  2. completion at the ${slotName} slot, ${size.label} (items ours=${oursItems} json-ls=${anchorItems})…`);
      const cached = await measurePair(
        () => service.complete(fixed, pos),
        () => anchor.doComplete(fixed, pos, parsed),
        size.opts,
      );
      rows.push(
        ratioRow({
          group: 2, name: `Completion, ${slotName} slot (document already parsed)`, size: sizeLabel,
          ours: cached.ours, anchor: cached.anchor, anchorName: 'json-ls doComplete',
          target: { kind: 'ratio', max: 1 },
          note: `items ours=${oursItems} json-ls=${anchorItems}`,
        }),
      );
      const fresh = await measurePair(
        (i) => {
          const doc = docFor(i);
          return service.complete(doc, doc.positionAt(offset));
        },
        (i) => {
          const doc = docFor(i);
          return anchor.doComplete(doc, doc.positionAt(offset), anchor.parseJSONDocument(doc));
        },
        size.opts,
      );
      rows.push(
        ratioRow({
          group: 2, name: `Completion, ${slotName} slot, right after an edit (parse included)`, size: sizeLabel,
          ours: fresh.ours, anchor: fresh.anchor, anchorName: 'json-ls parseJSONDocument + doComplete',
          target: { kind: 'ratio', max: 1 },
        }),
      );
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

interface ServiceLike {
  validate(document: TextDocument): unknown;
  complete(document: TextDocument, position: { line: number; character: number }): Promise<{ items: unknown[] }>;
}
