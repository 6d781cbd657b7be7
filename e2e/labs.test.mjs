// End-to-end: the Labs area, as a student uses it — run the consistency lab with the
// defaults and read the curve beside the two models, download its data and its chart,
// run the Figure 8 sweep, cancel a run midway, and see bad input refused. Prints how long
// each default run took in the browser (BENCHMARKS.md records the figures).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { serveDist } from './serve.mjs';
import { launch } from './browser.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = join(HERE, 'screenshots');

let server, browser;
before(async () => {
  await mkdir(SHOTS, { recursive: true });
  server = await serveDist(join(HERE, '..', 'dist'));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function labsPage(viewport = { width: 1280, height: 720 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(server.url);
  await page.waitForSelector('svg.ring g.node');
  await page.click('button.open-labs');
  await page.waitForSelector('.labs-area');
  return { page, context, problems };
}

/// Runs the lab on screen and waits until it is done; returns the milliseconds it took.
async function runToEnd(page) {
  const start = Date.now();
  await page.click('button.run-lab');
  await page.waitForFunction(() => /— done$/.test(document.querySelector('.lab-progress')?.textContent ?? ''), null, { timeout: 60000 });
  return Date.now() - start;
}

test('the consistency lab: the default curve beside the closed form and WARS, as the CLI prints it', async () => {
  for (const viewport of [{ width: 1280, height: 720 }, { width: 1600, height: 1000 }]) {
    const { page, context, problems } = await labsPage(viewport);
    const ms = await runToEnd(page);
    console.log(`consistency lab, defaults (N=3, R=W=1, exponential 5 ms, 20 points × 1,000 trials): ${ms} ms at ${viewport.width}×${viewport.height}`);
    assert.match(await page.locator('.lab-progress').innerText(), /1000 of 1000 — done/);
    const chart = page.locator('#consistency-chart');
    assert.equal(await chart.locator('.series.measured .dot').count(), 20);
    assert.equal(await chart.locator('.series.model .dot').count(), 20);
    assert.equal(await chart.locator('.series.closed-form .dot').count(), 1);
    assert.equal(await chart.locator('.series.measured .band').count(), 1, 'a 95% band');
    const findings = await page.locator('.findings').innerText();
    assert.match(findings, /the closed form C\(N−W, R\)\/C\(N, R\) gives 67%/);
    assert.match(findings, /The simulator is staler than the model at first/);
    // Each point's values on hover.
    const first = await chart.locator('.series.measured .dot').first().locator('title').textContent();
    assert.match(first, /^simulator \(95% band\): t, ms after the write's acknowledgement = 0, P\(read returns the write\) = 0\.\d+ \(95%: /);
    // Hover values, axes with units, a legend.
    assert.match(await chart.locator('.axis-label').first().textContent(), /t, ms after the write's acknowledgement/);
    assert.equal(await chart.locator('.legend-item').count(), 3);
    await page.screenshot({ path: join(SHOTS, `lab-consistency-${viewport.width}x${viewport.height}.png`) });
    if (viewport.width === 1280) {
      const [csv] = await Promise.all([page.waitForEvent('download'), page.click('button.export-csv')]);
      const text = await readFile(await csv.path(), 'utf8');
      assert.equal(text.split('\n')[0], 't_ms,p_consistent,ci95_low,ci95_high,wars_p_consistent,reads');
      assert.equal(text.trim().split('\n').length, 21);
      const [svg] = await Promise.all([page.waitForEvent('download'), page.click('button.export-svg')]);
      const svgText = await readFile(await svg.path(), 'utf8');
      assert.match(svgText, /^<svg[^>]*id="consistency-chart"/);
      assert.match(svgText, /<style>[^<]*\.chart \.measured \.line/, 'its colours inside it');
      const [png] = await Promise.all([page.waitForEvent('download'), page.click('button.export-png')]);
      assert.equal(png.suggestedFilename(), 'consistency-lab.png');
      const bytes = await readFile(await png.path());
      assert.deepEqual([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG');
      assert.equal(bytes.readUInt32BE(16), 1280, 'twice the chart\'s width');
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('the partitioning lab reproduces Figure 8; a run can be cancelled midway; bad input is refused', async () => {
  const { page, context, problems } = await labsPage({ width: 1600, height: 1000 });
  await page.click('.lab-tab:has-text("Partitioning")');
  const ms = await runToEnd(page);
  console.log(`partitioning lab, defaults (S=30, N=3, T = 1 … 128, 30,000 keys): ${ms} ms`);
  const chart = page.locator('#partitioning-chart');
  for (const s of [1, 2, 3]) assert.equal(await chart.locator(`.series.strategy-${s} .dot`).count(), 8);
  assert.match(await page.locator('.findings').innerText(), /strategy 3 balanced load best at \d of 8 sizes/);
  assert.match(await page.locator('.lab-progress').innerText(), /216 of 216 — done/, '(8 values of T × 3 + 3 joins) × 8 chunks of keys');
  await page.screenshot({ path: join(SHOTS, 'lab-partitioning-1600x1000.png') });
  // Cancel: what was measured stays, said to be partial.
  // A long consistency run (20,000 trials), cancelled once it has started.
  await page.click('.lab-tab:has-text("Consistency")');
  await page.fill('.lab-trials input', '20000');
  await page.click('button.run-lab');
  await page.waitForFunction(() => /^ ?[1-9]\d* of 20000 — running/.test(document.querySelector('.lab-progress')?.textContent ?? ''));
  await page.click('button.cancel-lab');
  await page.waitForFunction(() => /cancelled/.test(document.querySelector('.lab-progress')?.textContent ?? ''));
  assert.match(await page.locator('.lab-progress').innerText(), /^\s*\d+ of 20000 — cancelled: the results so far$/);
  assert.equal(await page.locator('#consistency-chart .series.measured .dot').count(), 20, 'the curve so far');
  assert.equal(await page.locator('button.run-lab').count(), 1, 'it can run again');
  // Bad input: a message by the field, nothing runs.
  await page.fill('.lab-trials input', '1000');
  await page.fill('.lab-r input', 'two');
  await page.click('button.run-lab');
  assert.match(await page.locator('.lab-r .field-error').innerText(), /"two" is not a number/);
  await page.fill('.lab-r input', '4');
  await page.click('button.run-lab');
  assert.match(await page.locator('.lab-run .field-error').innerText(), /R and W must be 1 to N = 3/);
  assert.match(await page.locator('.lab-progress').innerText(), /cancelled/, 'nothing new ran');
  await page.click('button.close-labs');
  await page.waitForSelector('svg.ring g.node');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the divergence lab: versions per read beside the paper\'s §6.3 figures, with their causes', async () => {
  const { page, context, problems } = await labsPage({ width: 1280, height: 720 });
  await page.click('.lab-tab:has-text("Divergence")');
  const ms = await runToEnd(page);
  console.log(`divergence lab, defaults (8 clients, 20 carts, 10% of nodes down per half second, 20 virtual s): ${ms} ms`);
  assert.match(await page.locator('.lab-progress').innerText(), /20000 of 20000 — done/);
  const findings = await page.locator('.findings').innerText();
  assert.match(findings, /reads: \d+\.\d{2}% saw one version/);
  assert.match(findings, /the paper counted 99\.94%, 0\.00057%, 0\.00047% and 0\.00009% \(§6\.3\)/);
  assert.match(findings, /every pair of updates overlapped \(concurrent writers\)/);
  const chart = page.locator('#divergence-chart');
  assert.equal(await chart.locator('.series.measured .dot').count(), 10, 'a point per window');
  await page.screenshot({ path: join(SHOTS, 'lab-divergence-1280x720.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('counterexample search: W = 1 with wiped disks loses a write; the shrunk schedule opens on the timeline', async () => {
  const { page, context, problems } = await labsPage({ width: 1280, height: 720 });
  await page.click('.lab-tab:has-text("Counterexamples")');
  // Wiped disks only (the defaults: N = 3, R = W = 1, the property "no acknowledged write lost").
  for (const fault of ['crash', 'partition', 'link', 'membership']) await page.uncheck(`#cx-${fault}`);
  const ms = await runToEnd(page);
  console.log(`counterexample search, W = 1 with wipes: found and shrunk in ${ms} ms`);
  const findings = await page.locator('.findings').innerText();
  assert.match(findings, /Schedule \d+ of 1000 violated "no acknowledged write lost"; shrunk from \d+ steps to \d+ in \d+ runs\./);
  assert.match(findings, /Dynamo does not promise it here: \d disk\(s\) wiped, and a put waits for only W = 1\./);
  assert.match(await page.locator('.counterexample .evidence li').first().innerText(), /^put #\d+ by c\d of k\d \[.*\] was acknowledged at [\d.]+ ms; replica [A-E] holds nothing$/);
  await page.screenshot({ path: join(SHOTS, 'lab-counterexample-1280x720.png') });
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('.counterexample button.export-csv')]);
  const saved = JSON.parse(await readFile(await file.path(), 'utf8'));
  assert.equal(saved.name, 'Counterexample: no acknowledged write lost violated');
  // Open it: the run on screen is the shrunk scenario, its steps listed, the checker's words below the title.
  await page.click('button.open-counterexample');
  await page.waitForSelector('svg.ring g.node');
  assert.equal(await page.locator('h1.scenario-name').innerText(), 'Counterexample: no acknowledged write lost violated');
  const note = await page.locator('.checker-note').innerText();
  assert.match(note, /The history checker on this run:/);
  assert.match(note, /Dynamo does not promise it here: \d disk\(s\) wiped, and a put waits for only W = 1\./);
  assert.match(note, /replica [A-E] holds nothing/);
  assert.equal(await page.locator('svg.ring g.node').count(), saved.cluster.nodes.length);
  await page.screenshot({ path: join(SHOTS, 'counterexample-opened-1280x720.png') });
  // The note can be closed.
  await page.click('button.close-note');
  assert.equal(await page.locator('.checker-note').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('counterexample search: a strict majority quorum without faults violates nothing; bad input is refused', async () => {
  const { page, context, problems } = await labsPage({ width: 1600, height: 1000 });
  await page.click('.lab-tab:has-text("Counterexamples")');
  for (const fault of ['crash', 'wipe', 'partition', 'link', 'membership']) await page.uncheck(`#cx-${fault}`);
  await page.fill('.cx-r input', '2');
  await page.fill('.cx-w input', '2');
  await page.selectOption('#cx-property', 'any');
  await page.fill('.cx-schedules input', '20');
  await runToEnd(page);
  assert.match(await page.locator('.findings').innerText(), /^No schedule of 20 violated any property with \(N, R, W\) = \(3, 2, 2\)\.$/);
  await page.fill('.cx-w input', '9');
  await page.click('button.run-lab');
  assert.match(await page.locator('.lab-run .field-error').innerText(), /W must be from 1 to N = 3/);
  await page.screenshot({ path: join(SHOTS, 'lab-counterexample-none-1600x1000.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the coordination lab: Table 2 measured both ways beside the paper\'s', async () => {
  const { page, context, problems } = await labsPage({ width: 1280, height: 720 });
  await page.click('.lab-tab:has-text("Coordination")');
  const ms = await runToEnd(page);
  console.log(`coordination lab, defaults (8 nodes, 5,000 operations each way): ${ms} ms`);
  assert.match(await page.locator('.lab-progress').innerText(), /10000 of 10000 — done/);
  const rows = page.locator('.coordination-table tr');
  assert.equal(await rows.count(), 5);
  assert.match(await rows.nth(3).innerText(), /server-driven, the paper\s+68\.90\s+68\.50\s+3\.90\s+4\.02/);
  assert.match(await page.locator('.findings').innerText(), /Client-driven coordination took the average write latency from [\d.]+ to [\d.]+ ms/);
  await page.screenshot({ path: join(SHOTS, 'lab-coordination-1280x720.png') });
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('button.export-csv')]);
  assert.equal((await readFile(await csv.path(), 'utf8')).split('\n')[0], 'row,read_p999_ms,write_p999_ms,read_mean_ms,write_mean_ms');
  assert.deepEqual(problems, []);
  await context.close();
});

test('side by side: a sloppy quorum against a strict one, the same load and failures', async () => {
  const { page, context, problems } = await labsPage({ width: 1600, height: 1000 });
  await page.click('.lab-tab:has-text("Side by side")');
  const ms = await runToEnd(page);
  console.log(`side by side, defaults (8 nodes, 5 virtual s, 10% down): ${ms} ms`);
  assert.match(await page.locator('.lab-progress').innerText(), /5000 of 5000 — done/);
  const rows = page.locator('.compare-table tr');
  assert.equal(await rows.count(), 9);
  assert.match(await rows.nth(3).innerText(), /stale reads \(of reads after a write\)\s+\d+ of \d+\s+0 of \d+/, 'the strict run never stale');
  assert.match(await rows.nth(7).innerText(), /hinted replicas stored \(§4\.6\)\s+[1-9]\d*\s+0/);
  const findings = await page.locator('.findings').innerText();
  assert.match(findings, /Run B, \(N, R, W\) = \(3, 2, 2\), strict quorum, strategy 1: .* R \+ W > N with a strict quorum: no read should be stale \(§4\.5\)\./);
  await page.screenshot({ path: join(SHOTS, 'lab-side-by-side-1600x1000.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
