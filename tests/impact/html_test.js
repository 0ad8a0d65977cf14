// `edict impact --html` in a real browser: Debian's chromium, headless, loads the page from disk (the page
// fetches nothing), runs its script and dumps the DOM. The page must have drawn every destination that has
// data: each is an SVG shape with a box of its own (getBBox, which needs layout), marked data-drawn by the
// page's script; and the count the script saw must be the count the JSON report gives.
//   node html_test.js EDICT SOURCE_DIR
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const assert = require("node:assert");

const [edict, source] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "edict-impact-html-"));
process.env.XDG_CACHE_HOME = path.join(dir, "cache");
let failures = 0, passes = 0;

function check(name, fn) {
  try {
    fn();
    passes++;
    console.log(`PASS ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}

function run(program, args, options = {}) {
  const r = spawnSync(program, args, { encoding: "utf8", timeout: 120000, maxBuffer: 64 << 20, ...options });
  if (r.error) throw r.error;
  return r;
}

const chromium = ["chromium", "chromium-browser"].find((c) => run("sh", ["-c", 'command -v "$0"', c]).status === 0);

for (const [name, oldPolicy, newPolicy, input] of [
  ["the example shipments, AI Diffusion against the draft", "policies/ai_diffusion_2025.edict",
   "policies/licensing_regime_draft.edict", "examples/shipments.jsonl"],
  ["a CSV history, the timeline against the 2026 rule", "policies/us_ear_timeline.edict",
   "policies/china_case_by_case_2026.edict", "tests/impact/history.csv"],
]) {
  check(name, () => {
    assert.ok(chromium, "chromium is not installed (.ci/install-deps installs it)");
    const html = path.join(dir, "report.html");
    const r = run(edict, ["impact", oldPolicy, newPolicy, "--input", input, "--format", "json", "--html", html],
                  { cwd: source });
    assert.ok(r.status === 0 || r.status === 2, `edict impact exited ${r.status}: ${r.stderr}`);
    const report = JSON.parse(r.stdout);
    const withData = report.destinations.map((d) => d.destination);
    assert.ok(withData.length > 0, "no destination with data");
    const page = fs.readFileSync(html, "utf8");
    assert.ok(!/(src|href)="(https?:)?\/\//.test(page), "the page refers to something outside itself");
    const dom = run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                               `--user-data-dir=${path.join(dir, "profile")}`, "--dump-dom", "file://" + html]);
    assert.strictEqual(dom.status, 0, `chromium exited ${dom.status}: ${dom.stderr.slice(-2000)}`);
    const body = dom.stdout.match(/<body[^>]*>/);
    assert.ok(body, "no <body> in the dumped DOM");
    const attr = (name) => (body[0].match(new RegExp(`${name}="(\\d+)"`)) || [])[1];
    assert.strictEqual(attr("data-countries-expected"), String(withData.length),
                       "the page's script did not run, or saw another number of destinations");
    assert.strictEqual(attr("data-countries-drawn"), String(withData.length), "not every destination was drawn");
    for (const code of withData) {
      const shape = dom.stdout.match(new RegExp(`<path[^>]*data-code="${code}"[^>]*>`));
      assert.ok(shape, `no shape for ${code}`);
      assert.ok(/data-drawn="1"/.test(shape[0]), `the shape of ${code} has no box: ${shape[0].slice(0, 200)}`);
      assert.ok(/data-moved="\d+"/.test(shape[0]), `the shape of ${code} carries no count`);
    }
  });
}

fs.rmSync(dir, { recursive: true, force: true });
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
