/**
 * The language server in headless Neovim (Debian's package; `run.sh`
 * installs it): a small Lua config starts `node dist/server.js --stdio` for
 * the project file, as the README's "Other editors" section shows, then
 *
 * - waits for the diagnostics of a project with a typo'd property (PPKG101)
 *   and a device name too long (PPKG004),
 * - completes a value (`"sharedUse": ` → false) and a whole section through
 *   Neovim's own completion client (no snippet support: the server sends
 *   plain text), and the result is valid JSON the engine accepts,
 * - applies the "Rename" quick fix with Neovim's workspace-edit code, after
 *   which the diagnostic is gone.
 *
 * Everything Neovim saw is written to a JSON file the test reads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { validateText } from '../../server/src/validation/validate';

const ROOT = path.resolve(__dirname, '../..');
const SERVER = path.join(ROOT, 'dist', 'server.js');

const PROJECT = `{
  "name": "Lab",
  "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}",
  "version": "1.0",
  "oobe": { "hide": false },
  "device": {
    "nmae": "CONTOSO-FRONTDESK-%RAND:6%",
    "sharedUse": 
  }
}
`;

const LUA = String.raw`
local out = {}
local file = vim.fn.expand('%:p')
local root = vim.fn.fnamemodify(file, ':h')
local function codeOf(d) return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) end
local function done(err)
  out.error = err
  local f = io.open(vim.env.PPKG_NVIM_OUT, 'w')
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd('qa!')
end
local ok, err = pcall(function()
  vim.bo.filetype = 'json'
  -- The README's setup, for Neovim 0.8+ (vim.lsp.start) and 0.7 (start_client + attach).
  local config = { name = 'ppkg', cmd = { 'node', vim.env.PPKG_SERVER, '--stdio' }, root_dir = root }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(0, client_id)
  end
  local buf = vim.api.nvim_get_current_buf()
  assert(vim.wait(15000, function() return #vim.diagnostic.get(buf) >= 2 end, 50), 'no diagnostics within 15 s')
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out.diagnostics, { code = codeOf(d), lnum = d.lnum, col = d.col, message = d.message })
  end
  local client = vim.lsp.get_client_by_id(client_id)
  out.position_encoding = client.offset_encoding

  local function complete(line, col)
    local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = col } }
    local res = vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, 10000)
    local items = {}
    for _, r in pairs(res or {}) do
      local result = r.result or {}
      for _, it in ipairs(result.items or result) do table.insert(items, it) end
    end
    return items
  end
  local function accept(item)
    local edits = {}
    if item.textEdit then table.insert(edits, item.textEdit) end
    for _, e in ipairs(item.additionalTextEdits or {}) do table.insert(edits, e) end
    vim.lsp.util.apply_text_edits(edits, buf, client.offset_encoding)
  end

  -- 1. A value: "sharedUse": |
  local line = vim.fn.search('"sharedUse": ', 'n') - 1
  local col = #vim.api.nvim_buf_get_lines(buf, line, line + 1, false)[1]
  local values = complete(line, col)
  out.value_labels = {}
  for _, it in ipairs(values) do table.insert(out.value_labels, it.label) end
  for _, it in ipairs(values) do
    if it.label == 'false' then out.value_format = it.insertTextFormat or 1; accept(it) end
  end
  -- 2. A whole section at the top level, before "oobe".
  local oobe = vim.fn.search('"oobe"', 'n') - 1
  vim.api.nvim_buf_set_lines(buf, oobe, oobe, false, { '  ' })
  local sections = complete(oobe, 2)
  out.section_formats = {}
  for _, it in ipairs(sections) do
    if it.label == 'network section' then
      out.section_text = it.textEdit and it.textEdit.newText or it.insertText
      accept(it)
    end
    table.insert(out.section_formats, it.insertTextFormat or 1)
  end
  out.after_completion = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')

  -- 3. The quick fix for the typo, applied as Neovim applies code actions.
  -- Diagnostics of the edited text: the syntax error is gone, the typo is still there, on the line it is on
  -- now (the diagnostics of an earlier version, before the section was inserted above it, do not count).
  local typo_line = vim.fn.search('"nmae"', 'n') - 1
  assert(vim.wait(10000, function()
    local typo, syntax = false, false
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if codeOf(d) == 'PPKG101' and d.lnum == typo_line then typo = true end
      if codeOf(d) == 'PPKG000' then syntax = true end
    end
    return typo and not syntax
  end, 50), 'no diagnostics for the edited text')
  local typo
  for _, d in ipairs(vim.diagnostic.get(buf)) do if codeOf(d) == 'PPKG101' then typo = d end end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = typo.lnum, character = typo.col }, ['end'] = { line = typo.end_lnum, character = typo.end_col } },
    context = { diagnostics = { typo.user_data and typo.user_data.lsp or { range = { start = { line = typo.lnum, character = typo.col }, ['end'] = { line = typo.end_lnum, character = typo.end_col } }, message = typo.message } } },
  }
  local res = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000)
  out.actions = {}
  for _, r in pairs(res or {}) do
    if r.err then table.insert(out.actions, 'ERROR ' .. vim.fn.json_encode(r.err)) end
    for _, a in ipairs(r.result or {}) do
      table.insert(out.actions, a.title)
      if a.title:match('^Rename') and a.edit then vim.lsp.util.apply_workspace_edit(a.edit, client.offset_encoding) end
    end
  end
  out.after_fix = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
  assert(vim.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do if codeOf(d) == 'PPKG101' then return false end end
    return true
  end, 50), 'the PPKG101 finding stayed after the fix; actions: ' .. vim.fn.json_encode(out.actions) .. ' after_fix: ' .. out.after_fix)
end)
out.final_codes = {}
out.final_messages = {}
for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(out.final_codes, codeOf(d) or ''); table.insert(out.final_messages, d.message) end
out.final_text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
done(ok and vim.NIL or tostring(err))
`;

const nvim = spawnSync('sh', ['-c', 'command -v nvim'], { encoding: 'utf8' }).stdout.trim();

test(
  'Neovim (headless): diagnostics, completion that yields valid JSON, a quick fix applied',
  { skip: nvim ? false : "nvim not installed (test/e2e/run.sh installs Debian's neovim)", timeout: 120_000 },
  () => {
    assert.ok(fs.existsSync(SERVER), 'dist/server.js (node esbuild.mjs)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ppkg-nvim-'));
    try {
      const file = path.join(dir, 'lab.ppkg.json');
      fs.writeFileSync(file, PROJECT);
      const init = path.join(dir, 'init.lua');
      fs.writeFileSync(init, LUA);
      const outFile = path.join(dir, 'out.json');
      const r = spawnSync(nvim, ['--headless', '--clean', '-n', file, '-c', `luafile ${init}`], {
        encoding: 'utf8',
        timeout: 90_000,
        env: { ...process.env, PPKG_SERVER: SERVER, PPKG_NVIM_OUT: outFile, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir },
      });
      assert.ok(fs.existsSync(outFile), `Neovim wrote no result (exit ${r.status}): ${r.stderr || r.stdout}`);
      const out = JSON.parse(fs.readFileSync(outFile, 'utf8')) as {
        error: string | null;
        diagnostics: { code: string; lnum: number; col: number; message: string }[];
        position_encoding: string;
        value_labels: string[];
        value_format: number;
        section_text: string;
        section_formats: number[];
        after_completion: string;
        actions: string[];
        after_fix: string;
        final_codes: string[];
      };
      assert.equal(
        out.error,
        null,
        `${out.error}\n${JSON.stringify((out as unknown as { final_messages: string[] }).final_messages)}\n${(out as unknown as { final_text: string }).final_text}`,
      );
      // Diagnostics, with the server's codes and 0-based positions.
      const codes = out.diagnostics.map((d) => d.code).sort();
      assert.ok(codes.includes('PPKG101') && codes.includes('PPKG000'), JSON.stringify(out.diagnostics));
      const typo = out.diagnostics.find((d) => d.code === 'PPKG101')!;
      assert.deepEqual([typo.lnum, typo.col], [6, 4]);
      assert.equal(out.position_encoding, 'utf-16');
      // Completion: plain text (Neovim offers no snippet support), and valid JSON after accepting.
      assert.deepEqual(out.value_labels.sort(), ['false', 'true']);
      assert.equal(out.value_format, 1);
      assert.ok(
        out.section_formats.every((f) => f === 1),
        `snippets sent to a client without snippetSupport: ${out.section_formats}`,
      );
      assert.doesNotMatch(out.section_text, /\$\{?\d/);
      const afterCompletion = validateText(out.after_completion, { projectPath: file }).diagnostics;
      assert.deepEqual(
        afterCompletion.filter((d) => d.code === 'PPKG000'),
        [],
        out.after_completion,
      );
      assert.match(out.after_completion, /"sharedUse": false/);
      assert.match(out.after_completion, /"network": \{/);
      // The quick fix, applied by Neovim.
      assert.ok(
        out.actions.some((a) => /^Rename "nmae" to "name"/.test(a)),
        JSON.stringify(out.actions),
      );
      assert.match(out.after_fix, /"name": "CONTOSO-FRONTDESK-%RAND:6%"/);
      assert.ok(!out.final_codes.includes('PPKG101'));
      assert.deepEqual(
        validateText(out.after_fix, { projectPath: file }).diagnostics.filter((d) => d.code === 'PPKG000' || d.code === 'PPKG101'),
        [],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);
