/**
 * The server honours what the client declares (LSP 3.17 ClientCapabilities):
 * the same requests against a client that supports everything VS Code does
 * and against a bare client (no snippets, no markdown, no code-action
 * literals, flat symbols, no dynamic registration, no link tooltips).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  CodeAction,
  Command,
  CompletionItem,
  CompletionList,
  DocumentLink,
  DocumentSymbol,
  Hover,
  SymbolInformation,
} from 'vscode-languageserver-protocol';
import { validateText } from '../../server/src/validation/validate';
import { snippetToText } from '../../server/src/languageService/capabilities';
import { applyEdits, LspClient, makeFixture, pos, TEST_NOW } from './lspClient';

const PROJECT_ID = '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}';
const HEAD = `{\n  "name": "Lab",\n  "id": "${PROJECT_ID}",\n  "version": "1.0",\n`;
const codesOf = (text: string) => validateText(text, { now: () => new Date(TEST_NOW) }).diagnostics.map((d) => d.code);

const BARE = { workspace: { configuration: true }, textDocument: { publishDiagnostics: {} } };
const COMMANDS_ONLY = { workspace: { applyEdit: true }, textDocument: { codeAction: {} } };
const PLAIN_TEXT = {
  textDocument: {
    completion: { completionItem: { snippetSupport: false, documentationFormat: ['plaintext'] } },
    hover: { contentFormat: ['plaintext'] },
  },
};

let fx: ReturnType<typeof makeFixture>;
before(() => {
  fx = makeFixture();
});
after(() => fx.cleanup());

async function withClient<T>(capabilities: object | undefined, fn: (c: LspClient) => Promise<T>): Promise<T> {
  const c = await LspClient.start(capabilities ? { capabilities } : {});
  try {
    return await fn(c);
  } finally {
    await c.stop();
  }
}

let n = 0;
async function complete(c: LspClient, textWithCursor: string) {
  const offset = textWithCursor.indexOf('|');
  const text = textWithCursor.slice(0, offset) + textWithCursor.slice(offset + 1);
  const uri = fx.uri(`cap${n++}.ppkg.json`);
  await c.open(uri, text);
  const before = text.slice(0, offset);
  const at = { line: (before.match(/\n/g) ?? []).length, character: offset - (before.lastIndexOf('\n') + 1) };
  const r = await c.request<CompletionList | null>('textDocument/completion', { textDocument: { uri }, position: at });
  return { items: r?.items ?? [], text, at, uri };
}

function acceptPlain(text: string, item: CompletionItem): string {
  assert.ok(item.textEdit && 'range' in item.textEdit, `${item.label} has a textEdit`);
  return applyEdits(text, [{ range: item.textEdit.range, newText: item.textEdit.newText }, ...(item.additionalTextEdits ?? [])]);
}

describe('completion', () => {
  test('without snippetSupport: no insertTextFormat 2 and no ${…} anywhere, and accepted sections are valid JSON', async () => {
    await withClient(BARE, async (c) => {
      const { items, text } = await complete(c, `${HEAD}  |\n}`);
      assert.ok(items.length > 5);
      for (const item of items) {
        assert.notEqual(item.insertTextFormat, 2, item.label);
        assert.doesNotMatch(JSON.stringify([item.insertText, item.textEdit]), /\$\{?\d/, item.label);
      }
      for (const key of ['device', 'network', 'account', 'applications', 'certificates']) {
        const item = items.find((i) => i.label === `${key} section`)!;
        const after = acceptPlain(text, item);
        assert.deepEqual(
          codesOf(after).filter((x) => !['PPKG030', 'PPKG040', 'PPKG035'].includes(x)),
          [],
          `${key}: ${after}`,
        );
      }
      const macro = await complete(c, `${HEAD}  "device": { "name": "CTS-|" }\n}`);
      const rand = macro.items.find((i) => i.label === '%RAND:x%')!;
      assert.equal(acceptPlain(macro.text, rand).includes('"CTS-%RAND:5%"'), true, 'the placeholder default is inserted');
    });
  });

  test('with snippetSupport and markdown: snippets and markdown documentation', async () => {
    await withClient(undefined, async (c) => {
      const { items } = await complete(c, `${HEAD}  |\n}`);
      const section = items.find((i) => i.label === 'device section')!;
      assert.equal(section.insertTextFormat, 2);
      assert.match(section.textEdit!.newText, /\$\{1:/);
      const device = items.find((i) => i.label === 'device')!;
      assert.equal((device.documentation as { kind: string }).kind, 'markdown');
    });
  });

  test('documentation in plain text where markdown is not offered', async () => {
    await withClient(PLAIN_TEXT, async (c) => {
      const { items } = await complete(c, `${HEAD}  |\n}`);
      const device = items.find((i) => i.label === 'device')!;
      assert.equal(typeof device.documentation === 'string' || device.documentation?.kind === 'plaintext', true, JSON.stringify(device.documentation));
      const text = typeof device.documentation === 'string' ? device.documentation : device.documentation!.value;
      assert.match(text, /WCD: Set up device/);
      assert.doesNotMatch(text, /\*\*/);
    });
  });
});

test('hover: markdown when offered, plain text otherwise', async () => {
  const text = `${HEAD}  "device": { "sharedUse": true }\n}`;
  const hoverWith = (caps: object | undefined) =>
    withClient(caps, async (c) => {
      const uri = fx.uri(`hov${n++}.ppkg.json`);
      await c.open(uri, text);
      return c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: pos(text, '"sharedUse"', 2) });
    });
  const md = await hoverWith(undefined);
  assert.equal((md.contents as { kind: string }).kind, 'markdown');
  assert.match((md.contents as { value: string }).value, /\*\*WCD:\*\*/);
  const plain = await hoverWith(PLAIN_TEXT);
  assert.equal((plain.contents as { kind: string }).kind, 'plaintext');
  assert.match((plain.contents as { value: string }).value, /^WCD: Configure devices for shared use/m);
  assert.match((plain.contents as { value: string }).value, /Microsoft documentation \(https:\/\/learn\.microsoft\.com\//);
  const bare = await hoverWith(BARE);
  assert.equal((bare.contents as { kind: string }).kind, 'plaintext');
});

describe('code actions', () => {
  const text = `${HEAD}  "device": { "name": "CONTOSO-FRONTDESK-%RAND:6%" }\n}`;
  async function actionsWith(c: LspClient) {
    const uri = fx.uri(`ca${n++}.ppkg.json`);
    const ds = await c.open(uri, text);
    const d = ds.find((x) => x.code === 'PPKG004')!;
    const actions = await c.request<(CodeAction | Command)[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d] },
    });
    return { uri, actions };
  }

  test('literals (with isPreferred) for a client that supports them', async () => {
    await withClient(undefined, async (c) => {
      const { actions } = await actionsWith(c);
      const a = actions.find((x) => x.title.startsWith('Shorten')) as CodeAction;
      assert.equal(a.kind, 'quickfix');
      assert.ok(a.edit);
      assert.equal(a.isPreferred, true);
      assert.equal(c.initializeResult!.capabilities.executeCommandProvider, undefined, 'no server command needed');
    });
  });

  test('Commands only without codeActionLiteralSupport; executing one applies the edit through workspace/applyEdit', async () => {
    await withClient(COMMANDS_ONLY, async (c) => {
      const { uri, actions } = await actionsWith(c);
      assert.ok(actions.length > 0);
      for (const a of actions) {
        assert.equal(typeof (a as Command).command, 'string', JSON.stringify(a));
        assert.equal((a as CodeAction).kind, undefined);
        assert.equal((a as CodeAction).edit, undefined);
      }
      const shorten = actions.find((x) => x.title.startsWith('Shorten')) as Command;
      assert.deepEqual((c.initializeResult!.capabilities.executeCommandProvider as { commands: string[] }).commands, [shorten.command]);
      await c.request('workspace/executeCommand', { command: shorten.command, arguments: shorten.arguments });
      assert.equal(c.appliedEdits.length, 1);
      const edit = (c.appliedEdits[0] as { edit: { changes: Record<string, { range: never; newText: string }[]> } }).edit;
      const fixed = applyEdits(text, edit.changes[uri]);
      assert.ok(!codesOf(fixed).includes('PPKG004'), fixed);
    });
  });

  test('without literals and without applyEdit, edits are not offered at all', async () => {
    await withClient(BARE, async (c) => {
      const { actions } = await actionsWith(c);
      assert.deepEqual(actions, []);
      assert.equal(c.initializeResult!.capabilities.executeCommandProvider, undefined);
    });
  });
});

test('document symbols: hierarchical when supported, SymbolInformation[] otherwise', async () => {
  const text = `${HEAD}  "device": { "name": "CTS-%SERIAL%" }\n}`;
  const symbolsWith = (caps: object | undefined) =>
    withClient(caps, async (c) => {
      const uri = fx.uri(`sym${n++}.ppkg.json`);
      await c.open(uri, text);
      return { uri, symbols: await c.request<DocumentSymbol[] | SymbolInformation[]>('textDocument/documentSymbol', { textDocument: { uri } }) };
    });
  const tree = await symbolsWith(undefined);
  const device = (tree.symbols as DocumentSymbol[]).find((s) => s.name === 'device')!;
  assert.ok(device.children?.some((s) => s.name === 'name'));
  const flat = await symbolsWith(BARE);
  const list = flat.symbols as SymbolInformation[];
  for (const s of list) {
    assert.equal(s.location.uri, flat.uri);
    assert.equal((s as unknown as DocumentSymbol).children, undefined);
  }
  assert.deepEqual(list.find((s) => s.name === 'name' && s.containerName === 'device')?.location.range.start, pos(text, '"name": "CTS'));
});

test('dynamic registration only when the client allows it', async () => {
  const regs = (caps: object | undefined) =>
    withClient(caps, async (c) => {
      // A request round trip after initialized: the server has sent what it sends on start.
      await c.request('textDocument/hover', { textDocument: { uri: 'file:///none' }, position: { line: 0, character: 0 } });
      await new Promise((r) => setTimeout(r, 200));
      return c.registrations.length;
    });
  assert.equal(await regs(BARE), 0);
  assert.ok((await regs(undefined)) >= 1);
});

test('document links carry a tooltip only for clients with tooltipSupport', async () => {
  const text = `${HEAD}  "applications": [{ "name": "Agent", "installer": "installers/cts-agent.msi", "commandLine": "msiexec /i cts-agent.msi /qn" }]\n}`;
  const linksWith = (caps: object | undefined) =>
    withClient(caps, async (c) => {
      const uri = fx.uri(`lnk${n++}.ppkg.json`);
      await c.open(uri, text);
      return c.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri } });
    });
  const rich = await linksWith(undefined);
  assert.ok(rich.length > 0, 'the example folder has the installer');
  assert.ok(rich.every((l) => typeof l.tooltip === 'string'));
  const bare = await linksWith(BARE);
  assert.equal(bare.length, rich.length);
  assert.ok(bare.every((l) => l.tooltip === undefined));
});

test('positions are declared UTF-16, whatever encodings the client lists', async () => {
  await withClient({ general: { positionEncodings: ['utf-8', 'utf-16'] } }, async (c) => {
    assert.equal(c.initializeResult!.capabilities.positionEncoding, 'utf-16');
  });
});

test('snippetToText: placeholders, choices, tab stops and escapes', () => {
  assert.equal(snippetToText('"name": "${1:PC-%SERIAL%}"$0'), '"name": "PC-%SERIAL%"');
  assert.equal(snippetToText('${1|WPA2-Personal,Open|} \\$HOME ${2:a ${3:b}} \\}'), 'WPA2-Personal $HOME a b }');
  assert.equal(snippetToText('[$1]${2}'), '[]');
});
