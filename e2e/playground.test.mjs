// End-to-end: the release build (dist/) in headless Chromium, clicked like a user would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { serveDist } from './serve.mjs';
import { launch } from './browser.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = join(HERE, '..', 'dist');
const SHOTS = join(HERE, 'screenshots');

let server, browser;
before(async () => {
  await mkdir(SHOTS, { recursive: true });
  server = await serveDist(DIST);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function openPage() {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(server.url);
  await page.waitForSelector('svg.ring g.node');
  return { page, problems };
}

test('the page shows the ring: five nodes, four tokens each, paused', async () => {
  const { page, problems } = await openPage();
  assert.equal(await page.locator('g.node').count(), 5);
  assert.equal(await page.locator('line.token').count(), 20);
  assert.equal(await page.locator('g.message').count(), 0);
  assert.match(await page.locator('button.play').innerText(), /Play/);
  assert.match(await page.locator('h1').innerText(), /Dynamo Playground/);
  await page.screenshot({ path: join(SHOTS, 'start.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('clicking play makes messages move between nodes', async () => {
  const { page, problems } = await openPage();
  await page.click('button.play');
  assert.match(await page.locator('button.play').innerText(), /Pause/);
  const first = page.locator('g.message').first();
  await first.waitFor({ timeout: 10_000 });
  const id = await first.getAttribute('data-id');
  const before = await first.getAttribute('transform');
  await page.waitForTimeout(250);
  const same = page.locator(`g.message[data-id="${id}"]`);
  if (await same.count() > 0) {
    assert.notEqual(await same.getAttribute('transform'), before, 'the message moved');
  }
  // Messages arrive: the delivered counter climbs.
  await page.waitForFunction(() => Number(document.querySelector('.delivered').textContent) >= 3, null, { timeout: 15_000 });
  // Every message drawn is of a kind the legend explains.
  const legend = await page.locator('ul.legend li').allInnerTexts();
  const kinds = await page.locator('g.message').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
  for (const k of kinds) assert.ok(legend.map((l) => l.trim()).includes(k), `${k} is in the legend`);
  await page.screenshot({ path: join(SHOTS, 'playing.png') });
  // Pause stops virtual time.
  await page.click('button.play');
  const t1 = await page.locator('.virtual-time').innerText();
  await page.waitForTimeout(300);
  assert.equal(await page.locator('.virtual-time').innerText(), t1, 'paused: time stands still');
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard: space plays and pauses, the right arrow steps one event', async () => {
  const { page, problems } = await openPage();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelectorAll('ol.log li').length >= 1);
  await page.keyboard.press(' ');
  assert.match(await page.locator('button.play').innerText(), /Pause/);
  await page.keyboard.press(' ');
  assert.match(await page.locator('button.play').innerText(), /Play/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('clicking a node crashes it: it greys out, and messages sent to it fall away', async () => {
  const { page, problems } = await openPage();
  await page.click('g.node[data-node="C"]');
  await page.locator('g.node.down[data-node="C"]').waitFor();
  assert.match(await page.locator('g.node[data-node="C"] text.node-state').textContent(), /down/);
  await page.selectOption('select', '20');
  await page.click('button.play');
  // Sooner or later a message heads for C and is lost: the log says so.
  await page.waitForFunction(
    () => [...document.querySelectorAll('ol.log li')].some((li) => li.textContent.includes('lost (node down)')),
    null, { timeout: 30_000 });
  await page.screenshot({ path: join(SHOTS, 'crashed-node.png') });
  await page.click('button.play');
  await page.click('g.node[data-node="C"]');
  assert.equal(await page.locator('g.node.down').count(), 0, 'recovered');
  assert.deepEqual(problems, []);
  await page.close();
});
