// Browser benchmarks: prints figures, asserts nothing. Run after `trunk build --release`:
//   cd e2e && node bench.mjs            (BENCH_SECONDS=N to measure longer)
// - first render: navigation start → the ring's nodes in the DOM (performance.now()).
// - frame times: intervals between animation frames while playing, with the background
//   client load on, for 16 and 128 nodes, at the default speed and at a fast one.
// - jumps on the time bar: 64 nodes with the load on, run to BENCH_SCRUB_SECONDS (60) of
//   virtual time at the fastest speed, then nine jumps back and forth: each from the
//   input event until the page shows the moment (no replay still on its way).
// - bundle: the release wasm and JS, raw and gzip -9.
// - BENCH_ONLY=views: frame times with the version history, the time lanes or the Merkle
//   exchange (following a round of anti-entropy started as it opens) open instead.
// - BENCH_ONLY=labs: each lab with its defaults, from Run to done: the wall time, and the
//   frame intervals while it computes (a slice per frame).
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { serveDist } from './serve.mjs';
import { launch } from './browser.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = join(HERE, '..', 'dist');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function firstRender(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('svg.ring g.node')) {
        window.__firstRender = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__firstRender !== undefined);
  const ms = await page.evaluate(() => window.__firstRender);
  await page.close();
  return ms;
}

async function frameTimes(browser, url, speed, view = null) {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('svg.ring g.node');
  if (view === 'time lanes') await page.click('button.show-spacetime');
  if (view === 'merkle') {
    await page.click('button.show-merkle'); // following anti-entropy,
    await page.click('.merkle-inspector button.anti-entropy'); // and a round of it started
  }
  if (view === 'versions') {
    await page.fill('.lookup input', 'key-3'); // a key of the background load
    await page.click('button.show-versions');
  }
  await page.selectOption('.speed select', String(speed));
  await page.click('button.play');
  await page.waitForTimeout(1000); // warm up: the load gets going
  const intervals = await page.evaluate((seconds) => new Promise((resolve) => {
    const out = [];
    let last = null;
    const end = performance.now() + seconds * 1000;
    function frame(now) {
      if (last !== null) out.push(now - last);
      last = now;
      if (now < end) requestAnimationFrame(frame); else resolve(out);
    }
    requestAnimationFrame(frame);
  }), SECONDS);
  const stats = await page.evaluate(() => ({
    time: document.querySelector('.virtual-time').textContent,
    inFlight: document.querySelector('.in-flight').textContent,
    delivered: document.querySelector('.delivered').textContent,
    elements: document.querySelectorAll('*').length,
  }));
  await page.close();
  if (errors.length) throw new Error(errors.join('\n'));
  return { intervals, ...stats };
}

async function jumps(browser, url, virtualSeconds) {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(url);
  await page.waitForSelector('svg.ring g.node');
  await page.selectOption('.speed select', '1000');
  await page.click('button.play');
  await page.waitForFunction((s) => parseFloat(document.querySelector('.virtual-time').textContent) >= s * 1000,
    virtualSeconds, { timeout: 600_000, polling: 500 });
  await page.click('button.play');
  const end = await page.locator('.scrubber input').evaluate((el) => Number(el.max));
  const costs = [];
  for (const eighth of [3, 7, 1, 5, 0, 6, 2, 4, 8]) {
    costs.push(await page.locator('.scrubber input').evaluate((el, target) => new Promise((resolve) => {
      const started = performance.now();
      el.value = String(target);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      const done = () => (document.querySelector('.seeking')
        ? requestAnimationFrame(done)
        : resolve(performance.now() - started));
      requestAnimationFrame(done);
    }), Math.floor(end / 8 * eighth)));
  }
  await page.close();
  return costs;
}

const server = await serveDist(DIST);
const browser = await launch();
async function labRun(browser, url, tab) {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(url);
  await page.waitForSelector('svg.ring g.node');
  await page.click('button.open-labs');
  await page.click(`.lab-tab:has-text("${tab}")`);
  const result = await page.evaluate(() => new Promise((resolve) => {
    const out = [];
    let last = null;
    const started = performance.now();
    function frame(now) {
      if (last !== null) out.push(now - last);
      last = now;
      const text = document.querySelector('.lab-progress')?.textContent ?? '';
      if (/— done$/.test(text)) resolve({ intervals: out, ms: performance.now() - started });
      else requestAnimationFrame(frame);
    }
    document.querySelector('button.run-lab').click();
    requestAnimationFrame(frame);
  }));
  await page.close();
  return result;
}

if (process.env.BENCH_ONLY === 'labs') {
  console.log('| lab (defaults) | Run to done | frames | median frame | p95 frame |');
  console.log('|---|---|---|---|---|');
  for (const [tab, name] of [['Consistency', 'consistency: N=3, R=W=1, exponential 5 ms, 20 × 1,000'], ['Partitioning', 'partitioning: S=30, T = 1…128, 30,000 keys'], ['Divergence', 'divergence: 8 clients, 20 carts, 20 virtual s']]) {
    const r = await labRun(browser, server.url, tab);
    console.log(`| ${name} | ${(r.ms / 1000).toFixed(2)} s | ${r.intervals.length} | ${quantile(r.intervals, 0.5).toFixed(1)} ms | ${quantile(r.intervals, 0.95).toFixed(1)} ms |`);
  }
  await browser.close();
  server.close();
  process.exit(0);
}
if (process.env.BENCH_ONLY === 'views') {
  // The views of issue 19 open while the load plays (BENCH_ONLY=views: only this table).
  console.log('| nodes | speed | view | frames | median frame | p95 frame | DOM elements |');
  console.log('|---|---|---|---|---|---|---|');
  for (const nodes of [16, 128]) {
    for (const view of ['versions', 'time lanes', 'merkle']) {
      const r = await frameTimes(browser, `${server.url}?nodes=${nodes}&load=on`, 50, view);
      console.log(`| ${nodes} | 50 ms/s | ${view} | ${r.intervals.length} | ${quantile(r.intervals, 0.5).toFixed(1)} ms | ${quantile(r.intervals, 0.95).toFixed(1)} ms | ${r.elements} |`);
    }
  }
  await browser.close();
  server.close();
  process.exit(0);
}
try {
  const renders = [];
  for (let i = 0; i < 5; i++) renders.push(await firstRender(browser, server.url));
  console.log(`first render (5 nodes, 5 loads): median ${quantile(renders, 0.5).toFixed(0)} ms, max ${Math.max(...renders).toFixed(0)} ms`);
  console.log(`first render (128 nodes): ${(await firstRender(browser, server.url + '?nodes=128&load=on')).toFixed(0)} ms`);
  console.log('\n| nodes | speed | frames | median frame | p95 frame | virtual time reached | in flight at end | delivered | DOM elements |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const nodes of [16, 128]) {
    for (const speed of [5, 50]) {
      const r = await frameTimes(browser, `${server.url}?nodes=${nodes}&load=on`, speed);
      console.log(`| ${nodes} | ${speed} ms/s | ${r.intervals.length} | ${quantile(r.intervals, 0.5).toFixed(1)} ms | ${quantile(r.intervals, 0.95).toFixed(1)} ms | ${r.time} | ${r.inFlight} | ${r.delivered} | ${r.elements} |`);
    }
  }
  const scrubSeconds = Number(process.env.BENCH_SCRUB_SECONDS ?? 60);
  const costs = await jumps(browser, `${server.url}?nodes=64&load=on`, scrubSeconds);
  console.log(`\njumps on the time bar (64 nodes, ${scrubSeconds} virtual s, nine jumps): median ${quantile(costs, 0.5).toFixed(0)} ms, worst ${Math.max(...costs).toFixed(0)} ms`);
  const files = (await readdir(DIST)).filter((f) => f.endsWith('.wasm') || f.endsWith('.js'));
  let raw = 0, gz = 0;
  console.log('\n| file | raw | gzip -9 |\n|---|---|---|');
  for (const f of files) {
    const body = await readFile(join(DIST, f));
    const z = gzipSync(body, { level: 9 }).length;
    raw += body.length; gz += z;
    console.log(`| ${f.replace(/-[0-9a-f]{16}/, '-*')} | ${body.length.toLocaleString('en')} B | ${z.toLocaleString('en')} B |`);
  }
  console.log(`| total wasm + JS | ${raw.toLocaleString('en')} B | ${gz.toLocaleString('en')} B |`);
} finally {
  await browser.close();
  server.close();
}
