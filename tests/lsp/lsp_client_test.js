// Drives `edict lsp` over stdio from a real LSP client (vscode-jsonrpc, the library under VS Code's client):
// initialize, didOpen of a file with an error, publishDiagnostics, hover, definition, references, completion,
// document symbols, formatting, code lens + the run-tests command, didChange, shutdown and exit.
// Usage: node lsp_client_test.js EDICT_BINARY SOURCE_DIR. Exits 77 (CTest: skipped) without node_modules.
'use strict';
const path = require('path');
const fs = require('fs');
const { spawn } = require('child_process');
const assert = require('assert');

let rpc;
try {
  rpc = require('vscode-jsonrpc/node');
} catch (e) {
  console.error('vscode-jsonrpc is not installed: run `npm ci` in tests/lsp (.ci/install-deps does)');
  process.exit(77);
}

const [edict, sourceDir] = process.argv.slice(2);
const uriOf = (p) => 'file://' + path.resolve(p).split('/').map(encodeURIComponent).join('/');
const read = (p) => fs.readFileSync(path.join(sourceDir, p), 'utf8');

// The 0-based position of `needle` (plus `offset` characters) in `text`.
function positionOf(text, needle, offset = 0) {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `'${needle}' not found`);
  const before = text.slice(0, at + offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

async function main() {
  const server = spawn(edict, ['lsp'], { cwd: sourceDir, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(server.stdout),
                                           new rpc.StreamMessageWriter(server.stdin));
  const diagnostics = new Map();
  const waiters = [];
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    diagnostics.set(p.uri, p.diagnostics);
    for (const w of waiters.splice(0)) w();
  });
  const messages = [];
  conn.onNotification('window/showMessage', (p) => messages.push(p.message));
  conn.listen();
  const diagnosticsFor = async (uri) => {
    for (let i = 0; i < 100 && !diagnostics.has(uri); i++) await new Promise((r) => waiters.push(r));
    const d = diagnostics.get(uri);
    diagnostics.delete(uri);
    return d;
  };
  let passed = 0;
  const check = (name, fn) => { fn(); passed++; console.log('ok - ' + name); };

  const init = await conn.sendRequest('initialize', { processId: process.pid, rootUri: uriOf(sourceDir), capabilities: {} });
  check('initialize announces the features', () => {
    const c = init.capabilities;
    for (const k of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'documentSymbolProvider',
                     'documentFormattingProvider', 'completionProvider', 'codeLensProvider'])
      assert.ok(c[k], k);
    assert.strictEqual(init.serverInfo.name, 'edict');
  });
  conn.sendNotification('initialized', {});

  // A file with an error: the diagnostic of `edict check` (code, span, hint).
  const errPath = path.join(sourceDir, 'tests/lsp/fixtures/with_error.edict');
  const errUri = uriOf(errPath);
  const errText = fs.readFileSync(errPath, 'utf8');
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri: errUri, languageId: 'edict', version: 1, text: errText } });
  const errDiags = await diagnosticsFor(errUri);
  check('didOpen of a file with an error publishes E0202 with its span and hint', () => {
    const e = errDiags.find((d) => d.code === 'E0202');
    assert.ok(e, JSON.stringify(errDiags));
    assert.strictEqual(e.severity, 1);
    assert.deepStrictEqual(e.range.start, positionOf(errText, 'd5_and_macua'));
    assert.strictEqual(e.range.end.character - e.range.start.character, 'd5_and_macua'.length);
    assert.match(e.message, /d5_and_macau/);  // the hint suggests the right name
  });

  // didChange: fixing it clears the error.
  const fixed = errText.replace('d5_and_macua', 'd5_and_macau');
  conn.sendNotification('textDocument/didChange', { textDocument: { uri: errUri, version: 2 }, contentChanges: [{ text: fixed }] });
  const fixedDiags = await diagnosticsFor(errUri);
  check('didChange re-checks: the fixed file has no errors', () => {
    assert.strictEqual(fixedDiags.filter((d) => d.severity === 1).length, 0, JSON.stringify(fixedDiags));
  });

  // The AI Diffusion policy.
  const aiPath = path.join(sourceDir, 'policies/ai_diffusion_2025.edict');
  const aiUri = uriOf(aiPath);
  const ai = fs.readFileSync(aiPath, 'utf8');
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri: aiUri, languageId: 'edict', version: 1, text: ai } });
  const aiDiags = await diagnosticsFor(aiUri);
  check('ai_diffusion_2025 has no errors', () => assert.strictEqual(aiDiags.filter((d) => d.severity === 1).length, 0));
  const at = (needle, offset = 0) => ({ textDocument: { uri: aiUri }, position: positionOf(ai, needle, offset) });
  const hoverText = async (needle, offset) => (await conn.sendRequest('textDocument/hover', at(needle, offset))).contents.value;

  const ruleHover = await hoverText('to worldwide_license', 4);
  check('hover on a rule: citation, doc and outcome', () => {
    assert.match(ruleHover, /rule worldwide_license/);
    assert.match(ruleHover, /15 CFR 742\.6\(a\)\(6\)\(iii\)/);
    assert.match(ruleHover, /A licence is required to export/);
    assert.match(ruleHover, /license_required\(review: approval\)/);
  });
  const quotaHover = await hoverText('fits aid_lpp', 6);
  check('hover on a quota: limit, keys and period', () => {
    assert.match(quotaHover, /limit: `aid_lpp_limit`/);
    assert.match(quotaHover, /per: `consignee`/);
    assert.match(quotaHover, /per calendar year/);
  });
  const fieldHover = await hoverText('item.datacenter', 6);
  check('hover on a field: its type and doc', () => {
    assert.match(fieldHover, /datacenter: bool/);
    assert.match(fieldHover, /Designed or marketed for use in datacenters/);
  });
  const tppHover = await hoverText('aid_lpp_limit = ', 0);
  check('hover on a constant: its value', () => assert.match(tppHover, /const aid_lpp_limit = 26_900_000 tpp/));
  const rowHover = await hoverText('ship 2000 nvidia-h100-sxm', 10);
  check('hover on a catalog id: the row figures', () => {
    assert.match(rowHover, /tpp: `15_832 tpp`/);
    assert.match(rowHover, /die_area: `814 mm2`/);
  });
  const setHover = await hoverText('in aid_tier3 or', 3);
  check('hover on a set: its members', () => assert.match(setHover, /Members: \{.*CN.*\}/s));

  const def = await conn.sendRequest('textDocument/definition', at('= supp5_a', 2));
  check('definition of a stdlib set jumps into stdlib/ear/groups.edict', () => {
    assert.strictEqual(def.length, 1, JSON.stringify(def));
    assert.ok(def[0].uri.endsWith('/stdlib/ear/groups.edict'), def[0].uri);
    const groups = read('stdlib/ear/groups.edict');
    assert.strictEqual(def[0].range.start.line, positionOf(groups, 'set supp5_a').line);
  });
  const localDef = await conn.sendRequest('textDocument/definition', at('consumes aid_lpp', 9));
  check('definition of a quota in the same file', () => {
    assert.strictEqual(def.length, 1);
    assert.strictEqual(localDef[0].uri, aiUri);
    assert.strictEqual(localDef[0].range.start.line, positionOf(ai, 'quota aid_lpp\n').line);
  });
  const refs = await conn.sendRequest('textDocument/references', { ...at('quota aid_lpp\n', 6), context: { includeDeclaration: true } });
  check('references of a quota: its declaration and its four uses, each covering the name', () => {
    assert.strictEqual(refs.length, 5, JSON.stringify(refs));
    const lines = ai.split('\n');
    for (const r of refs) {
      assert.strictEqual(r.uri, aiUri);
      assert.strictEqual(lines[r.range.start.line].slice(r.range.start.character, r.range.end.character), 'aid_lpp');
    }
  });
  const noDecl = await conn.sendRequest('textDocument/references', { ...at('consumes aid_lpp', 9), context: { includeDeclaration: false } });
  check('references without the declaration', () => assert.strictEqual(noDecl.length, 4, JSON.stringify(noDecl)));

  // Names are resolved by scope, not matched as text: `datacenter` is a field of the catalog record, and also a
  // parameter of ic_eccn in stdlib/ear/chips.edict.
  const chips = read('stdlib/ear/chips.edict');
  const onChips = (r, needle) => r.uri.endsWith('/stdlib/ear/chips.edict') && r.range.start.line === positionOf(chips, needle).line;
  const fieldRefs = await conn.sendRequest('textDocument/references', { ...at('when not item.datacenter', 14), context: { includeDeclaration: true } });
  check('references of a field include its uses across files and exclude a parameter of the same name', () => {
    assert.ok(fieldRefs.some((r) => onChips(r, '  datacenter: bool')), 'the declaration');
    assert.ok(fieldRefs.some((r) => onChips(r, 'c.datacenter')), 'a use in the stdlib');
    assert.ok(!fieldRefs.some((r) => onChips(r, 'else if not datacenter')), 'the parameter is another name');
    assert.ok(!fieldRefs.some((r) => onChips(r, 'datacenter: bool) -> eccn')), 'the parameter is another name');
    assert.ok(fieldRefs.filter((r) => r.uri === aiUri).length >= 6, JSON.stringify(fieldRefs));
  });
  const fieldDef = await conn.sendRequest('textDocument/definition', at('when not item.datacenter', 14));
  check('definition of a field is the record field, not a parameter of the same name', () => {
    assert.strictEqual(fieldDef.length, 1, JSON.stringify(fieldDef));
    assert.ok(onChips(fieldDef[0], '  datacenter: bool'), JSON.stringify(fieldDef));
  });

  const all = await conn.sendRequest('textDocument/completion', at('  when item.datacenter and aid_in_tier2', 7));
  check('completion offers fields, countries, catalog ids, enum members and keywords', () => {
    const labels = new Set(all.items.map((i) => i.label));
    for (const l of ['destination', 'consignee_hq', 'CN', 'nvidia-h100-sxm', 'denial', 'aid_tier1', 'when'])
      assert.ok(labels.has(l), l);
  });
  const afterTo = await conn.sendRequest('textDocument/completion', at('exception tier3_denial to worldwide_license', 'exception tier3_denial to '.length));
  check('completion after `exception NAME to` offers rule names only', () => {
    const labels = afterTo.items.map((i) => i.label);
    assert.ok(labels.includes('worldwide_license'));
    assert.ok(labels.includes('tier3_denial'));
    assert.ok(!labels.includes('destination'));
  });

  // In a timeline's tests, `under` and `pending` complete with the policies it applies.
  const tlPath = path.join(sourceDir, 'policies/us_ear_timeline.edict');
  const tlUri = uriOf(tlPath);
  const tl = fs.readFileSync(tlPath, 'utf8');
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri: tlUri, languageId: 'edict', version: 1, text: tl } });
  await diagnosticsFor(tlUri);
  const pendingLine = 'expect no_license_required under advanced_computing_2023 pending ';
  const afterPending = await conn.sendRequest('textDocument/completion', { textDocument: { uri: tlUri }, position: positionOf(tl, pendingLine, pendingLine.length) });
  check('completion after `pending` offers the timeline\'s policies and none', () => {
    const labels = afterPending.items.map((i) => i.label);
    for (const l of ['ai_diffusion_2025', 'advanced_computing_2023', 'advanced_computing_2022', 'none']) assert.ok(labels.includes(l), l + ' in ' + labels);
    assert.ok(!labels.includes('destination'));
  });
  const underLine = 'expect no_license_required under ';
  const afterUnder = await conn.sendRequest('textDocument/completion', { textDocument: { uri: tlUri }, position: positionOf(tl, underLine, underLine.length) });
  check('completion after `under` offers the timeline\'s policies', () => {
    const labels = afterUnder.items.map((i) => i.label);
    assert.ok(labels.includes('rescission_2025'), String(labels));
    assert.ok(!labels.includes('none'));
  });

  const symbols = await conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri: aiUri } });
  check('document symbols: rules, exceptions, quotas and tests', () => {
    const names = symbols.map((s) => s.name);
    for (const n of ['worldwide_license', 'lpp_exception', 'aid_lpp', 'H100s shipped within the US: not an export'])
      assert.ok(names.includes(n), n);
  });

  const lenses = await conn.sendRequest('textDocument/codeLens', { textDocument: { uri: aiUri } });
  check('code lenses on tests', () => assert.ok(lenses.length > 10 && lenses[0].command.command === 'edict.runTests'));
  const run = await conn.sendRequest('workspace/executeCommand', lenses[0].command);
  check('the run-tests command runs the file\'s tests', () => {
    assert.strictEqual(run.failed, 0);
    assert.ok(run.passed > 10);
    assert.ok(messages.some((m) => /passed, 0 failed/.test(m)), JSON.stringify(messages));
  });

  // Formatting goes through `edict fmt`.
  const oddPath = path.join(sourceDir, 'tests/fmt/cases/odd_rules.edict');
  const oddUri = uriOf(oddPath);
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri: oddUri, languageId: 'edict', version: 1, text: fs.readFileSync(oddPath, 'utf8') } });
  await diagnosticsFor(oddUri);
  const edits = await conn.sendRequest('textDocument/formatting', { textDocument: { uri: oddUri }, options: { tabSize: 2, insertSpaces: true } });
  check('formatting returns the canonical layout', () => {
    assert.strictEqual(edits.length, 1);
    assert.strictEqual(edits[0].newText, read('tests/fmt/expected/odd_rules.edict'));
  });

  await conn.sendRequest('shutdown');
  conn.sendNotification('exit');
  const code = await exited;
  check('exit after shutdown ends the server with status 0', () => assert.strictEqual(code, 0));
  console.log(`${passed} checks passed`);
  conn.dispose();
}

main().catch((e) => {
  console.error('FAIL', e && e.stack ? e.stack : e);
  process.exit(1);
});
