/**
 * Hostile inputs for `ppkg build` and `ppkg import` (child processes): XML
 * metacharacters in every free-text field round-trip through a well-formed
 * customizations.xml; hostile names stay inside the output folder; an XXE
 * and an entity-expansion bomb are refused quickly without reading files;
 * nothing is written outside the output folder, never a stack trace.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import { SENTINELS, secretEnv, writeBuildable } from './corpus/buildable';
import { ROOT, diffSnapshots, hasStackTrace, runChild, sandbox, snapshot } from './corpus/sandbox';

const results: { id: string; target: string; exit: number }[] = [];
before(() => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
});
after(() => {
  mkdirSync(join(ROOT, 'test-results/reliability'), { recursive: true });
  writeFileSync(join(ROOT, 'test-results/reliability/build-import.json'), JSON.stringify({ cases: results.length, results }, null, 2) + '\n');
});

const META = `<>&"' ]]> <!-- --> <![CDATA[x]]> &amp; &#x41; <?pi?>`;

/**
 * The text content of every element and every attribute value, decoded by hand (the five predefined
 * entities and character references), after xmlbuilder2 has checked that the
 * document is well-formed. Comments, CDATA and processing instructions in the
 * output would show up as undecoded markup and fail the round trip.
 */
function xmlTexts(xml: string): string[] {
  create(xml); // throws when not well-formed
  const decode = (s: string) =>
    s.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (_, e: string) =>
      e === 'lt'
        ? '<'
        : e === 'gt'
          ? '>'
          : e === 'amp'
            ? '&'
            : e === 'quot'
              ? '"'
              : e === 'apos'
                ? "'"
                : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
    );
  return [...xml.matchAll(/>([^<]+)</g), ...xml.matchAll(/ [\w:.-]+="([^"]*)"/g)].map((m) => decode(m[1]!));
}

interface BuildCase {
  id: string;
  what: string;
  over: Record<string, unknown>;
  env?: Record<string, string>;
  /** Exit code, and for findings the code that must be reported with a file:line:col location. */
  exit: 0 | 1;
  code?: string;
  /** Values that must come back out of customizations.xml. */
  roundTrip?: string[];
  setup?: (dir: string) => void;
}

const BUILD_CASES: BuildCase[] = [
  {
    id: 'xml-metachars-every-free-text-field',
    what: 'XML metacharacters in the description, Wi-Fi SSID, command line, additionalSettings value and secret values',
    exit: 0,
    over: {
      description: `D ${META}`,
      network: { wifi: { ssid: `<&"']]>`, security: 'WPA2-Personal', key: { secret: 'wifi-key' } } },
      applications: [
        {
          name: 'Agent',
          installer: 'installers/agent.msi',
          commandLine: `msiexec /i agent.msi /qn PROP="<&>" ]]> <!--`,
          dependencies: ['installers/agent.cfg'],
        },
      ],
      additionalSettings: [{ path: 'Policies/TimeLanguageSettings/ConfigureTimeZone', value: `V ${META}` }],
    },
    env: secretEnv({ ...SENTINELS, 'wifi-key': `W<&"']]>-key1`, 'local-admin-password': `P<!--&]]>"'` }),
    roundTrip: [`D ${META}`, `<&"']]>`, `msiexec /i agent.msi /qn PROP="<&>" ]]> <!--`, `V ${META}`, `W<&"']]>-key1`, `P<!--&]]>"'`],
  },
  { id: 'name-path-traversal', what: 'package name "../../../evil" (it is also the .ppkg file name)', over: { name: '../../../evil' }, exit: 0 },
  { id: 'name-absolute', what: 'package name "/tmp/evil"', over: { name: '/tmp/evil' }, exit: 0 },
  { id: 'name-reserved', what: 'package name "CON" and trailing dots', over: { name: 'CON..' }, exit: 0 },
  {
    id: 'project-array',
    what: 'a project that is a JSON array',
    over: {},
    setup: (d) => writeFileSync(join(d, 'p.ppkg.json'), '[]'),
    exit: 1,
    code: 'PPKG100',
  },
  {
    id: 'installer-symlink-out',
    what: 'an installer that links to /etc/passwd',
    over: { applications: [{ name: 'A', installer: 'installers/evil.msi', commandLine: 'msiexec /i evil.msi /qn' }] },
    setup: (d) => symlinkSync('/etc/passwd', join(d, 'installers/evil.msi')),
    exit: 1,
    code: 'PPKG031',
  },
  {
    id: 'installer-traversal',
    what: 'an installer ../../etc/passwd',
    over: { applications: [{ name: 'A', installer: '../../etc/passwd', commandLine: 'x /quiet' }] },
    exit: 1,
    code: 'PPKG031',
  },
  {
    id: 'additional-xml-injection',
    what: 'additionalCustomizationsXml that closes the document early',
    over: { additionalCustomizationsXml: '</Customizations></WindowsCustomizations><Evil/>' },
    exit: 1,
  },
  {
    id: 'deep-nesting',
    what: 'a project nested 100,000 levels',
    over: {},
    setup: (d) => writeFileSync(join(d, 'p.ppkg.json'), '{"name":' + '['.repeat(100_000)),
    exit: 1,
    code: 'PPKG000',
  },
];

for (const c of BUILD_CASES) {
  test(`hostile build: ${c.id} — ${c.what}`, { timeout: 60_000 }, async () => {
    const box = sandbox('ppkg-hbuild-');
    try {
      const dir = join(box.root, 'project');
      mkdirSync(dir);
      writeBuildable(dir, c.over);
      c.setup?.(dir);
      const before = new Map([...snapshot(box.root)].filter(([k]) => !k.startsWith('project/out')));
      const r = await runChild(['build', 'p.ppkg.json', '--out', 'out'], dir, c.env ?? secretEnv());
      results.push({ id: c.id, target: 'build', exit: r.code });
      assert.ok(!hasStackTrace(r.stderr) && !/internal error/.test(r.stderr), `stack trace or internal error:\n${r.stderr.slice(0, 1500)}`);
      assert.equal(r.code, c.exit, `exit ${r.code}\n${r.stdout}\n${r.stderr.slice(0, 1500)}`);
      const after = new Map([...snapshot(box.root)].filter(([k]) => !k.startsWith('project/out')));
      assert.deepEqual(diffSnapshots(before, after), [], 'written outside the output folder');
      if (c.exit === 1) {
        assert.match(
          r.stderr,
          c.code ? new RegExp(`^p\\.ppkg\\.json:\\d+:\\d+: error ${c.code} `, 'm') : /^p\.ppkg\.json:\d+:\d+: error PPKG\d{3} /m,
          'a located finding',
        );
      } else {
        const files = readdirSync(join(dir, 'out'));
        assert.equal(files.filter((f) => f.endsWith('.ppkg')).length, 1, `one package: ${files.join(', ')}`);
        const xml = readFileSync(join(dir, 'out/customizations.xml'), 'utf8');
        const texts = xmlTexts(xml);
        for (const v of c.roundTrip ?? []) assert.ok(texts.includes(v), `the value ${JSON.stringify(v)} does not round-trip through customizations.xml`);
      }
    } finally {
      box.cleanup();
    }
  });
}

const WCD_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n';
const WCD_BODY = (name: string) =>
  `<WindowsCustomizations><PackageConfig xmlns="urn:schemas-Microsoft-com:Windows-ICD-Package-Config.v1.0"><ID>{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}</ID><Name>${name}</Name><Version>1.0</Version><OwnerType>ITAdmin</OwnerType><Rank>0</Rank></PackageConfig><Settings xmlns="urn:schemas-microsoft-com:windows-provisioning"><Customizations><Common><Accounts><ComputerAccount><ComputerName>CTS-%SERIAL%</ComputerName></ComputerAccount></Accounts></Common></Customizations></Settings></WindowsCustomizations>`;

const IMPORT_CASES: { id: string; what: string; xml: string | Buffer; exit: 0 | 1 | 2; says?: RegExp; maxMs?: number; mustNotContain?: RegExp }[] = [
  {
    id: 'xxe-file',
    what: 'an external entity reading /etc/passwd (XXE)',
    xml: WCD_HEAD + '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + WCD_BODY('&xxe;'),
    exit: 1,
    says: /DOCTYPE|DTD|entit/i,
    mustNotContain: /root:x:0/,
  },
  {
    id: 'xxe-network',
    what: 'an external entity fetching http://127.0.0.1:9/',
    xml: WCD_HEAD + '<!DOCTYPE x [<!ENTITY net SYSTEM "http://127.0.0.1:9/x">]>\n' + WCD_BODY('&net;'),
    exit: 1,
    says: /DOCTYPE|DTD|entit/i,
  },
  {
    id: 'entity-bomb',
    what: 'a billion-laughs entity-expansion bomb',
    xml:
      WCD_HEAD +
      '<!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
      ']>\n' +
      WCD_BODY('&lol9;'),
    exit: 1,
    says: /DOCTYPE|DTD|entit/i,
    maxMs: 5000,
  },
  {
    id: 'parameter-entity',
    what: 'a parameter entity in the internal subset',
    xml: WCD_HEAD + '<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n' + WCD_BODY('x'),
    exit: 1,
    says: /DOCTYPE|DTD|entit/i,
    mustNotContain: /root:x:0/,
  },
  { id: 'not-xml', what: 'a JSON file given to import', xml: '{ "name": "x" }', exit: 1 },
  { id: 'truncated', what: 'a customizations.xml cut in the middle', xml: (WCD_HEAD + WCD_BODY('Cut')).slice(0, 200), exit: 1 },
  {
    id: 'invalid-utf8',
    what: 'invalid UTF-8 bytes',
    xml: Buffer.concat([Buffer.from(WCD_HEAD + '<WindowsCustomizations><Name>'), Buffer.from([0xc3, 0x28]), Buffer.from('</Name></WindowsCustomizations>')]),
    exit: 2,
    says: /UTF-8/,
  },
  { id: 'deep-elements', what: '100,000 nested elements', xml: WCD_HEAD + '<a>'.repeat(100_000) + '</a>'.repeat(100_000), exit: 1, maxMs: 10_000 },
  {
    id: 'metachars-name',
    what: 'a package name with escaped metacharacters and a hostile file name',
    xml: WCD_HEAD + WCD_BODY('../../&lt;evil&gt; &amp; ]]&gt; "q"'),
    exit: 0,
  },
];

for (const c of IMPORT_CASES) {
  test(`hostile import: ${c.id} — ${c.what}`, { timeout: 60_000 }, async () => {
    const box = sandbox('ppkg-himport-');
    try {
      const dir = join(box.root, 'project');
      mkdirSync(dir);
      writeFileSync(join(dir, 'customizations.xml'), c.xml);
      const before = snapshot(box.root);
      const t0 = performance.now();
      const r = await runChild(['import', 'customizations.xml', '--out', 'imported/p.ppkg.json'], dir, {});
      const ms = performance.now() - t0;
      results.push({ id: c.id, target: 'import', exit: r.code });
      assert.ok(!hasStackTrace(r.stderr) && !/internal error/.test(r.stderr), `stack trace:\n${r.stderr.slice(0, 1500)}`);
      assert.equal(r.code, c.exit, `exit ${r.code}\n${r.stdout}\n${r.stderr.slice(0, 1500)}`);
      if (c.says) assert.match(r.stderr, c.says);
      if (c.exit !== 0) assert.match(r.stderr, /customizations\.xml/, 'the refusal names the file');
      if (c.maxMs) assert.ok(ms < c.maxMs, `took ${Math.round(ms)} ms`);
      if (c.mustNotContain) assert.doesNotMatch(r.stdout + r.stderr, c.mustNotContain);
      const diff = diffSnapshots(before, snapshot(box.root));
      if (c.exit === 0) {
        assert.deepEqual(
          diff.filter((l) => !/^\+ project\/imported(\/p\.ppkg\.json)? \((file|dir)\)$/.test(l)),
          [],
          'import wrote only its --out file',
        );
        const check = await runChild(['validate', 'imported/p.ppkg.json', '--format', 'json'], dir, {});
        assert.ok(check.code === 0 || check.code === 1, `the imported project does not validate: ${check.stderr}`);
      } else assert.deepEqual(diff, [], 'a refused import writes nothing');
    } finally {
      box.cleanup();
    }
  });
}
