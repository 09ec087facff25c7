/**
 * The VS Code setting ppkg.buildBackend reaches validation: with `native`
 * (the default) a setting the native build refuses is an error (PPKG113),
 * as `ppkg validate --backend native` reports it; with `icd` it is not,
 * because ICD compiles it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { PpkgLanguageService } from '../../server/src/languageService/service';

const project = JSON.stringify({
  name: 'Lab',
  id: '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}',
  version: '1.0',
  additionalCustomizationsXml: '<Targets><Target Id="t"><TargetState><Condition Name="ProcessorName" Value="x86" /></TargetState></Target></Targets>',
});

test('ppkg.buildBackend decides whether settings the native build refuses are errors', () => {
  const service = new PpkgLanguageService({ now: () => new Date('2026-12-01T00:00:00Z') });
  const doc = TextDocument.create('file:///tmp/ppkg-backend/lab.ppkg.json', 'ppkg-project', 1, project);
  const codes = (settings: Parameters<PpkgLanguageService['validate']>[1]) => service.validate(doc, settings).map((d) => d.code);
  assert.ok(codes({}).includes('PPKG113'), 'native by default');
  assert.ok(codes({ buildBackend: 'native' }).includes('PPKG113'));
  assert.ok(!codes({ buildBackend: 'icd' }).includes('PPKG113'), 'ICD compiles it');
  assert.ok(codes({ buildBackend: 'native' }).includes('PPKG113'), 'the cached answer follows the setting back');
});
