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
  assert.match(await page.locator('button.load').innerText(), /Start/, 'a fresh page is quiet');
  await page.click('button.load');
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
  await page.click('button.load');
  await page.locator('button.load').blur();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelectorAll('ol.log li').length >= 1);
  await page.keyboard.press(' ');
  assert.match(await page.locator('button.play').innerText(), /Pause/);
  await page.keyboard.press(' ');
  assert.match(await page.locator('button.play').innerText(), /Play/);
  // Space after clicking a button plays: it does not press that button again.
  await page.locator('.client[data-client="alice"] button.put').click();
  await page.keyboard.press(' ');
  assert.match(await page.locator('button.play').innerText(), /Pause/);
  await page.keyboard.press(' ');
  const asks = await page.locator('ol.log li', { hasText: 'alice asks' }).count();
  assert.equal(asks, 1, 'one put, not two');
  // After ticking a box or dragging the time bar, Space and "?" still work.
  await page.locator('.chips label.chip', { hasText: 'A' }).locator('input').check();
  await page.keyboard.press(' ');
  assert.match(await page.locator('button.play').innerText(), /Pause/);
  assert.ok(await page.locator('.chips label.chip', { hasText: 'A' }).locator('input').isChecked(), 'still ticked');
  await page.keyboard.press(' ');
  await page.locator('.scrubber input').focus();
  await page.keyboard.press('?');
  await page.locator('.help-overlay').waitFor();
  await page.keyboard.press('Escape');
  assert.deepEqual(problems, []);
  await page.close();
});

test('crashing a node from the inspector greys it, and messages sent to it fall away', async () => {
  const { page, problems } = await openPage();
  await page.click('g.node[data-node="C"]');
  await page.locator('.node-inspector[data-node="C"]').waitFor();
  await page.click('.node-inspector button.crash');
  await page.locator('g.node.down[data-node="C"]').waitFor();
  assert.match(await page.locator('g.node[data-node="C"] text.node-state').textContent(), /down/);
  await page.selectOption('.speed select', '20');
  await page.click('button.load');
  await page.click('button.play');
  // Sooner or later a message heads for C and is lost: the log says so.
  await page.waitForFunction(
    () => [...document.querySelectorAll('ol.log li')].some((li) => li.textContent.includes('lost (node down)')),
    null, { timeout: 30_000 });
  await page.screenshot({ path: join(SHOTS, 'crashed-node.png') });
  await page.click('button.play');
  await page.click('.node-inspector button.recover');
  assert.equal(await page.locator('g.node.down').count(), 0, 'recovered');
  assert.deepEqual(problems, []);
  await page.close();
});

/** Plays until `predicate` (run in the page) holds, then pauses. */
async function playUntil(page, predicate, arg) {
  if (!/Pause/.test(await page.locator('button.play').innerText())) await page.click('button.play');
  await page.waitForFunction(predicate, arg, { timeout: 30_000 });
  await page.click('button.play');
}

test('the hinted handoff lesson: put, crash, put, recover, the hint goes home, get', async () => {
  const { page, problems } = await openPage();
  await page.selectOption('.speed select', '50');
  // Where does "cart" live? The lookup shows its preference list.
  await page.fill('.lookup input', 'cart');
  const replicas = await page.locator('.lookup .pref.replica').allInnerTexts();
  assert.equal(replicas.length, 3, 'N = 3 replicas');
  assert.equal(await page.locator('g.node.replica').count(), 3, 'highlighted on the ring');
  const coordinator = replicas[0], victim = replicas[1];
  const alice = page.locator('.client[data-client="alice"]');
  await alice.locator('.via select').selectOption(coordinator);
  await alice.locator('.value input').fill('milk');
  await alice.locator('button.put').click();
  await playUntil(page, () => document.querySelector('.client[data-client="alice"] .result').textContent.includes('stored milk'));
  // A replica crashes; the next write still succeeds, with a hinted replica on a stand-in.
  await page.click(`g.node[data-node="${victim}"]`);
  await page.click('.node-inspector button.crash');
  await alice.locator('.value input').fill('milk,eggs');
  await alice.locator('button.put').click();
  // The coordinator waits for the crashed replica until its timeout (§4.8.3): drawn.
  assert.match(await page.locator('.replica-wait text').first().textContent(),
    new RegExp(`^${coordinator} waits for ${victim}: [0-9.]+ ms left$`));
  await page.screenshot({ path: join(SHOTS, 'lesson-replica-wait.png') });
  await playUntil(page, () => document.querySelector('.hints-pending').textContent === '1');
  assert.equal(await page.locator('.replica-wait').count(), 0, 'the wait is over');
  assert.match(await alice.locator('.result').innerText(), /stored milk,eggs/);
  assert.equal(await page.locator('.node-load .hint-count').count(), 1, 'the stand-in shows its hint');
  // The lookup marks the stand-in for the crashed replica, on the ring and in the list,
  // and it is the very node that keeps the hinted replica.
  assert.equal(await page.locator('.lookup .pref.stand-in').count(), 1);
  assert.match(await page.locator('g.node.stand-in .hint-count').textContent(), new RegExp(`\\+1 hinted for ${victim}`));
  assert.match(await page.locator('g.node.stand-in .stand-in-label').textContent(), new RegExp(`stands in for ${victim}`));
  await page.screenshot({ path: join(SHOTS, 'lesson-hinted-replica.png') });
  // The owner recovers; the stand-in hands the hint back and deletes it.
  await page.click(`g.node[data-node="${victim}"]`);
  await page.click('.node-inspector button.recover');
  await playUntil(page, () => document.querySelector('.hints-pending').textContent === '0');
  assert.match(await page.locator('.hints-total').innerText(), /^1 \/ 1/);
  await page.selectOption('.log-filter select', 'hinted handoff');
  const hintLog = await page.locator('ol.log').innerText();
  assert.match(hintLog, new RegExp(`handed the hinted cart back to ${victim}`));
  assert.match(hintLog, new RegExp(`keeps a hinted replica of cart for ${victim}`));
  // The owner's store now holds the latest cart.
  await page.click(`g.node[data-node="${victim}"]`);
  assert.match(await page.locator('.node-inspector .store').innerText(), /milk,eggs/);
  // A get through the recovered owner returns it.
  await alice.locator('.via select').selectOption(victim);
  await alice.locator('button.get').click();
  await playUntil(page, () => /get cart via .*:/.test(document.querySelector('.client[data-client="alice"] .result').textContent)
    && !document.querySelector('.client[data-client="alice"] .result').textContent.includes('waiting'));
  assert.match(await alice.locator('.result').innerText(), /milk,eggs/);
  await page.screenshot({ path: join(SHOTS, 'lesson-get.png') });
  // Time travel: back to just after the crash, the hint is pending again.
  await page.selectOption('.log-filter select', 'failures');
  await page.locator('ol.log li', { hasText: `${victim} crashed` }).first().click();
  assert.match(await page.locator('g.node[data-node="' + victim + '"]').getAttribute('class'), /down/);
  assert.equal(await page.locator('.hints-pending').innerText(), '0', 'the hint is not written yet at the crash');
  assert.deepEqual(problems, []);
  await page.close();
});

test('siblings: two blind puts show side by side, and reconcile merges them', async () => {
  const { page, problems } = await openPage();
  await page.selectOption('.speed select', '50');
  const alice = page.locator('.client[data-client="alice"]');
  const bob = page.locator('.client[data-client="bob"]');
  await alice.locator('button.put').click(); // milk, via A
  await bob.locator('button.put').click();   // eggs, via B: concurrent with alice's
  await playUntil(page, () => [...document.querySelectorAll('.client .result')].every((r) => r.textContent.includes('stored')));
  await alice.locator('button.get').click();
  await playUntil(page, () => document.querySelector('.client[data-client="alice"] .result').textContent.includes('siblings'));
  assert.equal(await alice.locator('.sibling').count(), 2);
  await page.screenshot({ path: join(SHOTS, 'siblings.png') });
  await alice.locator('button.reconcile').click();
  await playUntil(page, () => document.querySelector('.client[data-client="alice"] .result').textContent.includes('stored'));
  await alice.locator('button.get').click();
  await playUntil(page, () => document.querySelector('.client[data-client="alice"] .result .sibling'));
  assert.equal(await alice.locator('.sibling').count(), 1, 'one merged cart');
  assert.match(await alice.locator('.sibling .value').innerText(), /milk/);
  assert.match(await alice.locator('.sibling .value').innerText(), /eggs/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('bad input shows a message next to the field and changes nothing', async () => {
  const { page, problems } = await openPage();
  await page.click('button.step');
  const stats = await page.locator('.stats').innerText();
  await page.click('.settings-box summary');
  await page.fill('.settings .r input', '9');
  await page.click('button.apply-settings');
  assert.match(await page.locator('.settings .r .field-error').innerText(), /cannot exceed N/);
  await page.fill('.faults .link-drop input', 'lots');
  await page.click('button.apply-link');
  assert.match(await page.locator('.faults .link-drop .field-error').innerText(), /drop rate/);
  assert.equal(await page.locator('.stats').innerText(), stats, 'nothing changed');
  assert.equal(await page.locator('.faulty-link').count(), 0);
  // A bad URL is reported, and the defaults are used.
  await page.goto(server.url + '?nodes=zero');
  await page.waitForSelector('svg.ring g.node');
  assert.match(await page.locator('.notice').innerText(), /ignored/);
  assert.equal(await page.locator('g.node').count(), 5);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a message can be clicked to see what it carries', async () => {
  const { page, problems } = await openPage();
  await page.click('.client[data-client="alice"] button.put');
  await page.click('button.step'); // the put reaches its coordinator, which sends replica puts
  await page.locator('g.message').first().waitFor();
  await page.locator('g.message').last().click();
  const inspector = page.locator('.message-inspector');
  await inspector.waitFor();
  assert.match(await inspector.innerText(), /key\s+cart/);
  assert.match(await page.locator('g.message.selected').getAttribute('data-kind'), /\w/);
  await page.screenshot({ path: join(SHOTS, 'message-inspector.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('anti-entropy: a wiped replica shows differing Merkle roots and is repaired on demand', async () => {
  const { page, problems } = await openPage();
  await page.selectOption('.speed select', '50');
  await page.fill('.lookup input', 'cart');
  const replicas = await page.locator('.lookup .pref.replica').allInnerTexts();
  const alice = page.locator('.client[data-client="alice"]');
  await alice.locator('.via select').selectOption(replicas[0]);
  await alice.locator('button.put').click();
  // Let the put reach all three replicas.
  await playUntil(page, () => document.querySelector('.client[data-client="alice"] .result').textContent.includes('stored milk'));
  await page.click('button.play');
  await page.waitForTimeout(1500);
  await page.click('button.play');
  const victim = replicas[2];
  await page.click(`g.node[data-node="${victim}"]`);
  assert.match(await page.locator('.node-inspector .store').innerText(), /milk/);
  assert.match(await page.locator('.node-inspector .identity').innerText(), new RegExp(`as ${victim} \\(`));
  await page.click('.node-inspector button.wipe');
  assert.equal(await page.locator('.node-inspector .store tr').count(), 0, 'the disk is empty');
  // It lost the record of its clock counters with its disk: it stamps under a new identity.
  assert.match(await page.locator('.node-inspector .identity').innerText(), new RegExp(`as ${victim}#1, a new identity`));
  const differs = page.locator('.node-inspector .trees tr.differs td');
  assert.ok(await differs.count() >= 1, 'its Merkle roots differ from its peers');
  assert.match(await differs.first().innerText(), /^root [0-9a-f]{8} · (same as .* ✓ · )?differs from [A-E](, [A-E])*: anti-entropy will repair it/);
  await page.screenshot({ path: join(SHOTS, 'wiped-node.png') });
  await page.click('button.anti-entropy');
  await playUntil(page, () => document.querySelector('.node-inspector .store').textContent.includes('milk'));
  await page.selectOption('.log-filter select', 'anti-entropy');
  assert.match(await page.locator('ol.log').innerText(), new RegExp(`${victim} got 1 key from .* by anti-entropy`));
  await page.screenshot({ path: join(SHOTS, 'repaired-node.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

/** Sets the time bar to `micros` of virtual time, as dragging it would. */
async function scrubTo(page, micros) {
  await page.locator('.scrubber input').evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, micros);
}

test('acting in the past starts a branch; the old future is kept and can be gone back to', async () => {
  const { page, problems } = await openPage();
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.selectOption('.speed select', '50');
  await playUntil(page, () => parseFloat(document.querySelector('.virtual-time').textContent) >= 75);
  const horizon = (await page.locator('.horizon').innerText()).replace('of ', '');
  await scrubTo(page, 7000);
  await page.waitForFunction(() => document.querySelector('.virtual-time').textContent.startsWith('7.000'));
  assert.match(await page.locator('.past-warning').innerText(), /starts branch 2 from here; branch 1 and its future are kept/);
  await page.locator('.client[data-client="alice"] button.get').click();
  assert.match(await page.locator('.virtual-time').innerText(), /^7\.000 ms/, 'the run did not jump');
  const branches = page.locator('.branches button.branch');
  assert.equal(await branches.count(), 2);
  assert.equal(await branches.nth(0).innerText(), `branch 1 · to ${horizon}`);
  assert.match(await page.locator('.branches button.branch.current').innerText(), /^branch 2 · left branch 1 at 7\.000 ms/);
  assert.equal(await page.locator('.past-warning').count(), 0, 'at the end of the new branch: no warning');
  await page.screenshot({ path: join(SHOTS, 'branch-1280.png') });
  await branches.nth(0).click();
  await page.waitForFunction(() => document.querySelector('.branches button.branch.current')?.textContent.startsWith('branch 1'));
  assert.equal(await page.locator('.horizon').innerText(), `of ${horizon}`, 'the old future is there to go to');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a partition marks both sides and the cut; heal says which link is still faulty', async () => {
  const { page, problems } = await openPage();
  await page.setViewportSize({ width: 1280, height: 720 });
  for (const name of ['A', 'B']) await page.locator('.chips label.chip', { hasText: name }).locator('input').check();
  await page.click('button.partition');
  for (const [name, side] of [['A', 1], ['B', 1], ['C', 2], ['D', 2], ['E', 2]]) {
    assert.equal(await page.locator(`g.node[data-node="${name}"] .side-label`).textContent(), `side ${side}`);
  }
  assert.equal(await page.locator('.partition-wall').count(), 2, 'the cut crosses the ring twice');
  assert.match(await page.locator('.network-state').innerText(), /split into 2 sides \(A B \| C D E\)/);
  await page.screenshot({ path: join(SHOTS, 'partition-1280.png') });
  await page.click('button.apply-link'); // A–B, 50% lost
  await page.click('button.heal');
  assert.equal(await page.locator('.side-label').count(), 0);
  assert.equal(await page.locator('.network-state').innerText(), 'Faulty: A–B (50% lost).');
  assert.equal(await page.locator('.faulty-link text').textContent(), '50% lost');
  await page.click('button.clear-links');
  assert.match(await page.locator('.network-state').innerText(), /^The network is whole/);
  assert.equal(await page.locator('.faulty-link').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

/** Whether the element is on screen and nothing covers its centre. */
async function usable(page, selector) {
  return page.locator(selector).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
    if (r.width === 0 || x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
    const top = document.elementFromPoint(x, y);
    return top === el || el.contains(top);
  });
}

test('on a 1280×720 projector the ring, clients, inspector and faults are usable together', async () => {
  const { page, problems } = await openPage();
  await page.setViewportSize({ width: 1280, height: 720 });
  for (const projector of [false, true]) {
    if (projector) await page.locator('.large-text input').check();
    await page.click('g.node[data-node="C"]');
    await page.locator('.node-inspector[data-node="C"]').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.scrollHeight), 720, 'no page scroll');
    for (const selector of [
      'g.node[data-node="A"]', '.client[data-client="alice"] button.get', '.client[data-client="alice"] button.put',
      '.node-inspector button.crash', 'button.partition', 'button.heal', '.virtual-time', '.large-text input',
      'button.play', '.scrubber input', '.log-filter select',
    ]) {
      assert.ok(await usable(page, selector), `${selector} is on screen and not covered (projector: ${projector})`);
    }
    await page.screenshot({ path: join(SHOTS, `layout-1280${projector ? '-projector' : ''}.png`) });
  }
  // Projector mode scales the panels' text too, not only the ring.
  const size = (sel) => page.locator(sel).first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(await size('.client button.put') >= 19, 'buttons grow');
  assert.ok(await size('.network-state') >= 19, 'panel text grows');
  assert.deepEqual(problems, []);
  await page.close();
});

test('"?" opens the help: keys, words and messages, each with its section; Esc closes it', async () => {
  const { page, problems } = await openPage();
  assert.match(await page.locator('button.play kbd').innerText(), /space/, 'the key is on the button');
  assert.equal(await page.locator('.help-overlay').count(), 0);
  await page.keyboard.press('?');
  const help = page.locator('.help-overlay');
  await help.waitFor();
  assert.match(await help.locator('dl.terms').innerText(), /sloppy quorum\s+reads and writes go to the first N healthy nodes .*\(§4\.6\)/);
  assert.match(await help.locator('dl.messages').innerText(), /merkle keys\s+the keys under leaves whose hashes differ \(§4\.7\)/);
  assert.match(await help.locator('dl.keys').innerText(), /Space\s+play or pause/);
  await page.screenshot({ path: join(SHOTS, 'help.png') });
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('.help-overlay').count(), 0);
  await page.click('button.help');
  await help.waitFor();
  await help.locator('button.close').click();
  assert.equal(await page.locator('.help-overlay').count(), 0);
  assert.match(await page.locator('ul.legend li', { hasText: 'hinted put' }).getAttribute('title'), /stand-in/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a joining node takes over ranges: selecting it draws them, and the log tells every copy moved', async () => {
  const { page, problems } = await openPage();
  const alice = page.locator('.client[data-client="alice"]');
  for (const key of ['cart', 'list', 'basket', 'order', 'wish']) {
    await alice.locator('.key input').fill(key);
    await alice.locator('button.put').click();
  }
  await page.selectOption('.speed select', '1000');
  await page.click('button.play');
  await page.waitForTimeout(400);
  await page.click('button.play');
  await page.click('button.add-node');
  await page.click('button.play');
  await page.waitForFunction(() => [...document.querySelectorAll('ol.log li')].some((li) => li.textContent.includes('it is now one of their N replicas')), null, { timeout: 30_000 });
  await page.waitForTimeout(500);
  await page.click('button.play');
  await page.click('g.node[data-node="F"]');
  const ranges = await page.locator('.kept-range').count();
  assert.ok(ranges >= 1, 'F keeps ranges, drawn on the ring');
  assert.match(await page.locator('.node-inspector').innerText(), new RegExp(`${ranges} ranges, drawn on the ring`));
  await page.screenshot({ path: join(SHOTS, 'join-ranges.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the trace can be exported as JSON Lines, one event per line', async () => {
  const { page, problems } = await openPage();
  await page.locator('.client[data-client="alice"] button.put').click();
  await page.selectOption('.speed select', '50');
  await playUntil(page, () => document.querySelector('.client[data-client="alice"] .result').textContent.includes('stored'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.export-trace')]);
  assert.match(download.suggestedFilename(), /^dynamo-trace-seed1-\d+us\.jsonl$/);
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length > 10);
  assert.equal(lines[0].event, 'request');
  assert.equal(lines[0].client, 'alice');
  assert.ok(lines.some((l) => l.event === 'reply' && l.ok === true));
  assert.deepEqual(problems, []);
  await page.close();
});

test('the page shows the run\'s trace hash, the one dynamo-sim prints for the same run', async () => {
  const { page, problems } = await openPage();
  // The reference value: the empty run's hash, as the native suite computes it too.
  const title = await page.locator('.trace-hash').getAttribute('title');
  const hash = title.match(/^trace hash ([0-9a-f]{32}):/)[1];
  assert.equal(await page.locator('.trace-hash').innerText(), `#${hash.slice(0, 8)}`);
  assert.ok(await usable(page, '.trace-hash'), 'on screen at 1600×1000');
  await page.click('button.step');
  assert.notEqual(await page.locator('.trace-hash').getAttribute('title'), title, 'an event changes it');
  assert.deepEqual(problems, []);
  await page.close();
});

test('Figure 3 by hand fits a 1280×720 projector: both clients and the siblings, no scrolling', async () => {
  const { page, problems } = await openPage();
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.locator('.large-text input').check();
  await page.locator('.client[data-client="alice"] button.put').click();
  await page.locator('.client[data-client="bob"] button.put').click();
  await page.selectOption('.speed select', '50');
  await playUntil(page, () => [...document.querySelectorAll('.client .result')].every((r) => r.textContent.includes('stored')));
  await page.locator('.client[data-client="alice"] button.get').click();
  await playUntil(page, () => document.querySelector('.client[data-client="alice"] .result').textContent.includes('siblings'));
  for (const selector of ['.client[data-client="alice"] .siblings .sibling:nth-child(2)',
    '.client[data-client="alice"] button.reconcile', '.client[data-client="bob"] button.put']) {
    assert.ok(await usable(page, selector), `${selector} on screen without scrolling`);
  }
  assert.equal(await page.locator('.panel.clients').evaluate((el) => el.scrollTop), 0);
  await page.screenshot({ path: join(SHOTS, 'figure3-1280-projector.png') });
  assert.deepEqual(problems, []);
  await page.close();
});
