// Tokenises the shipped policies with the VS Code TextMate grammar (editors/vscode/syntaxes) through
// vscode-textmate + vscode-oniguruma, as VS Code does, and compares the scopes with tests/lsp/textmate/NAME.scopes
// (EDICT_UPDATE_GOLDEN=1 rewrites them). Each golden line is `LINE: text=scope ...` for every token that has a
// scope beyond source.edict. Usage: node textmate_test.js SOURCE_DIR. Exits 77 (skipped) without node_modules.
'use strict';
const fs = require('fs');
const path = require('path');

let vsctm, oniguruma;
try {
  vsctm = require('vscode-textmate');
  oniguruma = require('vscode-oniguruma');
} catch (e) {
  console.error('vscode-textmate / vscode-oniguruma are not installed: run `npm ci` in tests/lsp');
  process.exit(77);
}

const sourceDir = process.argv[2];
const grammarPath = path.join(sourceDir, 'editors/vscode/syntaxes/edict.tmLanguage.json');
const goldenDir = path.join(sourceDir, 'tests/lsp/textmate');
const updating = !!process.env.EDICT_UPDATE_GOLDEN && process.env.EDICT_UPDATE_GOLDEN !== '0';

async function main() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === 'source.edict' ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const grammar = await registry.loadGrammar('source.edict');
  const policies = fs.readdirSync(path.join(sourceDir, 'policies')).filter((f) => f.endsWith('.edict')).sort();
  let failed = 0;
  for (const file of policies) {
    const lines = fs.readFileSync(path.join(sourceDir, 'policies', file), 'utf8').split('\n');
    let state = vsctm.INITIAL;
    const out = [];
    lines.forEach((line, i) => {
      const r = grammar.tokenizeLine(line, state);
      state = r.ruleStack;
      const parts = [];
      for (const t of r.tokens) {
        const scope = t.scopes[t.scopes.length - 1];
        const text = line.slice(t.startIndex, t.endIndex);
        if (scope === 'source.edict' || text.trim() === '') continue;
        // Comments and strings are long: their first word stands for them.
        const shown = /^(comment|string)/.test(scope) ? text.split(' ')[0] + (text.includes(' ') ? '…' : '') : text;
        parts.push(`${shown}=${scope.replace(/\.edict$/, '')}`);
      }
      if (parts.length) out.push(`${i + 1}: ${parts.join(' ')}`);
    });
    const actual = out.join('\n') + '\n';
    const golden = path.join(goldenDir, file.replace(/\.edict$/, '.scopes'));
    if (updating) {
      fs.mkdirSync(goldenDir, { recursive: true });
      fs.writeFileSync(golden, actual);
      console.log('updated ' + path.relative(sourceDir, golden));
    } else if (!fs.existsSync(golden) || fs.readFileSync(golden, 'utf8') !== actual) {
      failed++;
      const expected = fs.existsSync(golden) ? fs.readFileSync(golden, 'utf8').split('\n') : [];
      const got = actual.split('\n');
      const k = got.findIndex((l, j) => l !== expected[j]);
      console.error(`FAIL ${file}: scopes differ from ${path.relative(sourceDir, golden)} (EDICT_UPDATE_GOLDEN=1)\n` +
                    `  expected: ${expected[k]}\n  actual:   ${got[k]}`);
    } else {
      console.log(`ok - ${file}`);
    }
  }
  // A few scopes that matter, whatever the goldens say.
  const sample = grammar.tokenizeLine('  when item is nvidia-h100-sxm and date <= 2027-12-31 then license_required(review: denial)  # x', vsctm.INITIAL);
  const scopeOf = (text) => {
    const line = '  when item is nvidia-h100-sxm and date <= 2027-12-31 then license_required(review: denial)  # x';
    const t = sample.tokens.find((t) => line.slice(t.startIndex, t.endIndex) === text);
    return t ? t.scopes[t.scopes.length - 1] : 'none';
  };
  const expect = { when: 'keyword.other.clause.edict', 'nvidia-h100-sxm': 'variable.other.edict',
                   '2027-12-31': 'constant.numeric.date.edict', license_required: 'support.constant.outcome.edict',
                   '# x': 'comment.line.number-sign.edict', and: 'keyword.operator.word.edict' };
  for (const [text, scope] of Object.entries(expect))
    if (scopeOf(text) !== scope) {
      failed++;
      console.error(`FAIL '${text}' has scope ${scopeOf(text)}, expected ${scope}`);
    }
  if (failed) process.exit(1);
  console.log(`${policies.length} policies tokenised as the goldens say`);
}

main().catch((e) => {
  console.error('FAIL', e && e.stack ? e.stack : e);
  process.exit(1);
});
