// End-to-end: scenarios in the page, as a teacher uses them — open an example, step
// through it with the keyboard, share the moment as a link and save it as a file; a
// student opens the link or the file in a fresh browser and sees the same moment; a
// malformed file dropped on the page is refused and changes nothing.
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

/// A page in a context of its own (a fresh browser session: nothing shared).
async function freshPage(url, viewport = { width: 1280, height: 720 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('svg.ring g.node');
  return { page, context, problems };
}

/// What the page shows of the moment: the virtual time, the log, the trace hash.
async function moment(page) {
  return {
    time: await page.locator('.virtual-time').innerText(),
    hash: await page.locator('.trace-hash').getAttribute('title'),
    log: await page.locator('ol.log').innerText(),
  };
}

async function nextStepNumber(page) {
  return Number(await page.locator('.step-strip .next b').innerText());
}

test('Figure 3 from the examples, stepped with the keyboard, shared by link and reopened', async () => {
  const { page, context, problems } = await freshPage(server.url);
  await page.selectOption('select.examples', { label: 'Figure 3: version evolution of an object over time' });
  await page.waitForSelector('.step-strip .next');
  assert.equal(await page.locator('.step-strip li.step').count(), 11);
  assert.equal(await nextStepNumber(page), 1);
  for (let n = 2; n <= 6; n++) {
    await page.keyboard.press(n % 2 ? 'n' : 'PageDown');
    await page.waitForFunction((want) => document.querySelector('.step-strip .next b')?.textContent === String(want), n);
  }
  await page.keyboard.press('p');
  await page.waitForFunction(() => document.querySelector('.step-strip .next b').textContent === '5');
  await page.keyboard.press('n');
  await page.waitForFunction(() => document.querySelector('.step-strip .next b').textContent === '6');
  // A click on a later step goes to just before it.
  await page.locator('.step-strip li.step').nth(7).locator('button').click();
  await page.waitForFunction(() => document.querySelector('.step-strip .next b').textContent === '8');
  await page.keyboard.press('n');
  await page.waitForFunction(() => document.querySelector('.step-strip .next b').textContent === '9');
  const here = await moment(page);
  await page.screenshot({ path: join(SHOTS, 'scenario-figure3-1280x720.png') });

  await page.click('button.share-link');
  const url = await page.locator('.share-url').inputValue();
  assert.match(url, /#run=[A-Za-z0-9_-]+$/);
  const student = await freshPage(url);
  await student.page.waitForFunction((t) => document.querySelector('.virtual-time').textContent === t, here.time);
  assert.deepEqual(await moment(student.page), here, 'the same moment: time, log and hash');
  assert.equal(await nextStepNumber(student.page), 9);
  assert.match(await student.page.locator('.scenario-name').innerText(), /^Figure 3/);
  assert.deepEqual(student.problems, []);
  await student.context.close();

  // The compact page, for an iframe: the ring and the steps, no panels.
  const embedded = await freshPage(`${url}&embed`, { width: 800, height: 600 });
  await embedded.page.waitForSelector('.app.embed .step-strip .next');
  assert.equal(await embedded.page.locator('.panel.clients').count(), 0);
  assert.equal(await nextStepNumber(embedded.page), 9);
  await embedded.page.screenshot({ path: join(SHOTS, 'scenario-embed-800x600.png') });
  await embedded.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a run saved as a scenario file reopens from the file picker at the same moment', async () => {
  const { page, context, problems } = await freshPage(server.url);
  await page.locator('.client[data-client="alice"] button.put').click();
  await page.click('button.step');
  await page.click('button.step');
  await page.click('g.node[data-node="C"]');
  await page.click('.node-inspector button.crash');
  for (let i = 0; i < 5; i++) await page.click('button.step');
  const here = await moment(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.save-scenario')]);
  assert.match(download.suggestedFilename(), /^dynamo-run-seed1-\d+us\.json$/);
  const path = await download.path();
  const file = JSON.parse(await readFile(path, 'utf8'));
  assert.deepEqual(file.steps.map((s) => s.op), ['put', 'crash']);
  assert.ok(file.end.after_events > 0);

  const other = await freshPage(server.url);
  await other.page.setInputFiles('.open-file input[type=file]', path);
  await other.page.waitForFunction((t) => document.querySelector('.virtual-time').textContent === t, here.time);
  assert.deepEqual(await moment(other.page), here);
  assert.deepEqual(other.problems, []);
  await other.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a malformed file dropped on the page is refused with a message and changes nothing', async () => {
  const { page, context, problems } = await freshPage(server.url);
  await page.locator('.client[data-client="alice"] button.put').click();
  for (let i = 0; i < 4; i++) await page.click('button.step');
  const here = await moment(page);
  const drop = async (name, text, expected) => {
    const transfer = await page.evaluateHandle(([name, text]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], name, { type: 'application/json' }));
      return dt;
    }, [name, text]);
    await page.dispatchEvent('.app', 'drop', { dataTransfer: transfer });
    await page.waitForFunction((name) => document.querySelector('.scenario-message')?.textContent.includes(name) ?? false, expected);
    return page.locator('.scenario-message').innerText();
  };
  assert.match(await drop('bad.json', '{ "cluster": ', 'invalid scenario'), /EOF/);
  const typo = '{"cluster": {"nodes": [{"id": "A"}, {"id": "B"}, {"id": "C"}]}, "steps": [{"op": "crash", "node": "Q"}]}';
  assert.match(await drop('typo.json', typo, 'unknown node'), /step 1 \(crash\): unknown node "Q"/);
  await page.screenshot({ path: join(SHOTS, 'scenario-refused-1280x720.png') });
  assert.deepEqual(await moment(page), here, 'the run is untouched');
  // A bad link: the page says so and starts as usual.
  const bad = await freshPage(`${server.url}#run=AAAA`);
  assert.match(await bad.page.locator('.notice').innerText(), /link could not be opened/);
  await bad.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('Figure 3 played to its end draws the paper\'s version history of D', async () => {
  const { page, context, problems } = await freshPage(server.url, { width: 1600, height: 1000 });
  await page.selectOption('select.examples', { label: 'Figure 3: version evolution of an object over time' });
  await page.waitForSelector('.step-strip .next');
  for (let n = 2; n <= 12; n++) {
    await page.keyboard.press('n');
    if (n <= 11) await page.waitForFunction((want) => document.querySelector('.step-strip .next b')?.textContent === String(want), n);
  }
  await page.fill('.lookup input', 'D');
  await page.click('button.show-versions');
  const values = await page.locator('.version-dag g.version').evaluateAll((gs) => gs.map((g) => g.dataset.value));
  assert.deepEqual(values, ['D1', 'D2', 'D3', 'D4', 'D5']);
  assert.equal(await page.locator('.version-dag line.descends').count(), 5);
  assert.match(await page.locator('.version-dag').textContent(), /\[Sx:3, Sy:1, Sz:1\]/);
  await page.screenshot({ path: join(SHOTS, 'versions-figure3-1600x1000.png') });
  // Clicking D3 goes back to the moment Sy sent it to a replica, the message selected.
  await page.click('.version-dag g.version[data-value="D3"]');
  await page.locator('.inspector').filter({ hasText: 'D3 [Sx:2, Sy:1]' }).waitFor();
  assert.match(await page.locator('.past-warning').innerText(), /looking at the past/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the time lanes show one put as its fan-out and acknowledgements, and a click goes back in time', async () => {
  const { page, context, problems } = await freshPage(server.url, { width: 1600, height: 1000 });
  await page.locator('.client[data-client="alice"] button.put').click();
  const result = page.locator('.client[data-client="alice"] .result');
  for (let i = 0; i < 300 && !(await result.innerText()).includes('stored'); i++) {
    await page.click('button.step');
  }
  await page.click('button.show-spacetime');
  await page.fill('.lookup input', 'cart');
  assert.equal(await page.locator('svg.spacetime text.lane').count(), 5);
  assert.equal(await page.locator("svg.spacetime line.story[data-kind='put']").count(), 2);
  assert.equal(await page.locator("svg.spacetime line[data-kind='put-ack']").count(), 2);
  await page.screenshot({ path: join(SHOTS, 'time-lanes-1600x1000.png') });
  const before = await page.locator('.virtual-time').innerText();
  await page.click('svg.spacetime', { position: { x: 120, y: 10 } });
  await page.waitForFunction((t) => document.querySelector('.virtual-time').textContent !== t, before);
  assert.ok(parseFloat(await page.locator('.virtual-time').innerText()) < parseFloat(before), 'earlier');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Merkle view: a wiped node\'s tree beside a peer\'s, the differing path, the exchange level by level', async () => {
  const { page, context, problems } = await freshPage(server.url, { width: 1600, height: 1000 });
  await page.selectOption('select.examples', { label: 'Merkle anti-entropy repairs a wiped node' });
  await page.waitForSelector('.step-strip .next');
  for (let n = 2; n <= 11; n++) {
    await page.keyboard.press('n');
    await page.waitForFunction((want) => document.querySelector('.step-strip .next b')?.textContent === String(want), n);
  }
  // A has lost its disk: beside a peer's, its tree differs from the root down to the leaves.
  await page.click('g.node[data-node="A"]');
  await page.locator('.node-inspector .trees tr.differs button.compare').first().click();
  const view = page.locator('.merkle-inspector');
  await view.locator('svg.merkle-trees').waitFor();
  assert.equal(await view.locator('.merkle-pair').getAttribute('data-a'), 'A');
  assert.equal(await view.locator('g.tree-box.differs[data-index="1"]').count(), 2, 'the roots differ');
  assert.equal(await view.locator('.level-label').count(), 4, 'root and the three levels of a depth-3 tree');
  const rows = view.locator('table.merkle-leaves tr.differs');
  assert.ok(await rows.count() >= 1);
  assert.equal(await rows.first().locator('td').nth(1).innerText(), '—', 'A holds nothing of it');
  await page.screenshot({ path: join(SHOTS, 'merkle-wiped-1600x1000.png') });
  // Anti-entropy, one event at a time: each level's hashes are on the wire in turn.
  await page.keyboard.press('n');
  await page.keyboard.press('p');
  await page.waitForFunction(() => document.querySelector('.step-strip .next b')?.textContent === '11');
  const levels = new Set();
  for (let i = 0; i < 200 && levels.size < 3; i++) {
    await page.click('button.step');
    const now = page.locator('.on-wire-now');
    if (await now.count()) levels.add(await now.innerText());
  }
  assert.ok(levels.size >= 3, `the exchange seen on the wire step by step: ${[...levels]}`);
  assert.equal(await view.locator('svg.merkle-trees rect.on-wire').count() <= 1, true);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.screenshot({ path: join(SHOTS, 'merkle-on-wire-1280x720.png') });
  // Its end: the trees are equal, and the view tells what the exchange cost.
  const inSync = view.locator('.in-sync').filter({ hasText: 'The roots are equal' });
  for (let i = 0; i < 3 && !(await inSync.count()); i++) {
    await page.keyboard.press('n');
    await page.waitForTimeout(500);
  }
  await inSync.waitFor();
  assert.ok(await view.locator('.merkle-steps li').count() >= 5, 'root, three levels, keys');
  assert.match(await view.locator('.merkle-cost').innerText(), /^It sent \d+ messages, \d+ hashes, \d+ keys?: \d+ bytes\. Sending the whole range both ways, as it was then: \d+ keys?, \d+ bytes — .* \(§4\.7\)\.$/);
  // Following anti-entropy shows a comparison that found a difference.
  await page.click('button.show-merkle');
  assert.match(await view.locator('.merkle-pair').innerText(), /following the latest comparison/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the time lanes follow one request: its story highlighted, its lanes alone, the clock on its puts', async () => {
  const { page, context, problems } = await freshPage(server.url, { width: 1600, height: 1000 });
  await page.selectOption('select.examples', { label: 'Sloppy quorum and hinted handoff' });
  await page.waitForSelector('.step-strip .next');
  for (let n = 2; n <= 6; n++) {
    await page.keyboard.press('n');
    await page.waitForFunction((want) => document.querySelector('.step-strip .next b')?.textContent === String(want), n);
  }
  await page.click('button.show-spacetime');
  await page.selectOption('.spacetime-inspector select.span', '100');
  // The put at 60 ms, with B down: its coordinator D sends a hinted put to the stand-in A.
  const story = page.locator('.spacetime-filters .story select');
  const option = story.locator('option', { hasText: 'c1: put cart' }).first();
  await story.selectOption(await option.getAttribute('value'));
  const text = await page.locator('.story-text').innerText();
  assert.match(text, /^c1: put cart · D asked C · stand-ins A for B \(hinted puts, §4\.6\) · replies counted toward the quorum: C, A · answered at [\d.]+ ms: ok/);
  assert.ok(await page.locator('svg.spacetime line.stand-in').count() >= 1, 'the hinted put');
  assert.ok(await page.locator('svg.spacetime line.counted').count() >= 1);
  assert.match(await page.locator('svg.spacetime .arrow-clock').first().textContent(), /^\[D:2\]$/);
  assert.equal(await page.locator('svg.spacetime path.answer-mark').count(), 1);
  const lanes = await page.locator('svg.spacetime text.lane').allTextContents();
  assert.ok(lanes.length < 4 && !lanes.includes('B'), `only the story's lanes: ${lanes}`);
  await page.screenshot({ path: join(SHOTS, 'time-lanes-story-1600x1000.png') });
  // A kind filter: only hinted puts.
  await page.selectOption('.spacetime-filters .kind select', { label: 'hinted put' });
  const kinds = await page.locator('svg.spacetime line.message-arrow').evaluateAll((ls) => [...new Set(ls.map((l) => l.dataset.kind))]);
  assert.deepEqual(kinds, ['hinted put']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a hinted replica waits on the ring for its owner, and goes home when the owner recovers', async () => {
  const { page, context, problems } = await freshPage(server.url);
  await page.selectOption('select.examples', { label: 'Sloppy quorum and hinted handoff' });
  await page.waitForSelector('.step-strip .next');
  for (let n = 2; n <= 6; n++) {
    await page.keyboard.press('n');
    await page.waitForFunction((want) => document.querySelector('.step-strip .next b')?.textContent === String(want), n);
  }
  // A stands in for B: a dashed line to B, the count under A, since when in A's inspector.
  assert.equal(await page.locator('.hint-waits .hint-wait').count(), 1);
  assert.match(await page.locator('g.node[data-node="A"] .hint-count').textContent(), /\+1 hinted for B/);
  await page.click('g.node[data-node="A"]');
  assert.match(await page.locator('.node-inspector ul.hints li[data-owner="B"]').innerText(),
    /^cart for B: mixer,tea \[D:2\] — kept since [\d.]+ ms, /);
  assert.equal(await page.locator('.hints-pending').innerText(), '1');
  await page.screenshot({ path: join(SHOTS, 'hinted-replica-1280x720.png') });
  // B recovers: A hands the replica back, deletes it, and the ring says so.
  for (let n = 7; n <= 8; n++) {
    await page.keyboard.press('n');
    await page.waitForFunction((want) => document.querySelector('.step-strip .next b')?.textContent === String(want), n);
  }
  for (let i = 0; i < 400 && !(await page.locator('g.node .handed-back').count()); i++) await page.click('button.step');
  assert.match(await page.locator('g.node[data-node="A"] .handed-back').textContent(), /✓ cart back to B/);
  assert.equal(await page.locator('.hint-waits .hint-wait').count(), 0);
  assert.equal(await page.locator('.hints-pending').innerText(), '0');
  assert.equal(await page.locator('.node-inspector ul.hints li').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a lesson played by keyboard: beats with n, a wrong prediction and a right one, things to try', async () => {
  const { page, context, problems } = await freshPage(server.url);
  await page.selectOption('select.lessons', { label: 'Lesson: versioning with vector clocks (Figure 3)' });
  const beat = () => page.locator('.lesson-bar').getAttribute('data-beat');
  await page.waitForSelector('.lesson-bar');
  assert.equal(await beat(), '1');
  assert.match(await page.locator('.lesson-bar .say').innerText(), /Sx stamps the first version, D1, with the vector clock \[Sx:1\]/);
  await page.locator('.version-dag g.version[data-value="D1"]').waitFor();
  await page.keyboard.press('n');
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => document.querySelector('.lesson-bar')?.dataset.beat === '3');
  // Beat 3 asks before it runs: a wrong prediction, then the steps run and the page says why.
  assert.match(await page.locator('.lesson-bar .question').innerText(), /Predict: How many versions will C's get return\?/);
  await page.fill('.lesson-bar .count-answer', '3');
  await page.keyboard.press('Enter');
  await page.locator('.lesson-bar .verdict .wrong').waitFor();
  assert.match(await page.locator('.lesson-bar .verdict').innerText(), /Not quite: you said 3; it is 2\. C's get returned 2 versions: D3 \[Sx:2, Sy:1\] \| D4 \[Sx:2, Sz:1\]/);
  await page.screenshot({ path: join(SHOTS, 'lesson-versioning-beat3-1280x720.png') });
  for (const want of ['4', '5', '6']) {
    await page.keyboard.press('n');
    await page.waitForFunction((w) => document.querySelector('.lesson-bar')?.dataset.beat === w, want);
  }
  await page.fill('.lesson-bar .count-answer', '1');
  await page.click('.lesson-bar button.check-answer');
  await page.locator('.lesson-bar .verdict .right').waitFor();
  await page.keyboard.press('n');
  await page.waitForFunction(() => document.querySelector('.lesson-bar')?.dataset.beat === '7');
  assert.match(await page.locator('.lesson-bar .try-this').innerText(), /^Try this/);
  const values = await page.locator('.version-dag g.version').evaluateAll((gs) => gs.map((g) => g.dataset.value));
  assert.deepEqual(values, ['D1', 'D2', 'D3', 'D4', 'D5']);
  await page.screenshot({ path: join(SHOTS, 'lesson-versioning-end-1280x720.png') });
  // Back a beat with p: the page is where beat 6 ended.
  await page.keyboard.press('p');
  await page.waitForFunction(() => document.querySelector('.lesson-bar')?.dataset.beat === '6');
  assert.deepEqual(problems, []);
  await context.close();
});

test('presenter mode: a lesson on a projector, driven by clicker keys, with a speaker view in step', async () => {
  const { page, context, problems } = await freshPage(server.url);
  await page.selectOption('select.lessons', { label: 'Lesson: sloppy quorum and hinted handoff' });
  await page.waitForSelector('.lesson-bar');
  await page.click('.lesson-bar button.present');
  await page.locator('.app.presenting').waitFor();
  assert.equal(await page.locator('.panel.clients').isVisible(), false, 'the forms are put away');
  // The speaker view: a second window, in step with this one.
  const [speaker] = await Promise.all([
    context.waitForEvent('page'),
    page.click('.lesson-bar button.speaker'),
  ]);
  const speakerProblems = [];
  speaker.on('pageerror', (e) => speakerProblems.push(String(e)));
  await speaker.locator('.speaker-view .beat-count').filter({ hasText: 'Beat 1 of 6' }).waitFor();
  assert.match(await speaker.locator('.speaker-view .answer').innerText(), /Answer: B, C, D — B, C and D hold cart/);
  // Beat 1 asks: the room predicts, the presenter ticks its answer, Space goes on.
  for (const node of ['B', 'C', 'D']) await page.locator('.lesson-bar .chip', { hasText: node }).locator('input').check();
  await page.click('.lesson-bar button.check-answer');
  await page.locator('.lesson-bar .verdict .right').waitFor();
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('.lesson-bar')?.dataset.beat === '2');
  await speaker.locator('.speaker-view .beat-count').filter({ hasText: 'Beat 2 of 6' }).waitFor();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('.lesson-bar')?.dataset.beat === '3');
  await page.click('.lesson-bar button.answer-no'); // a wrong prediction: sloppy quorum saves it
  await page.locator('.lesson-bar .verdict .wrong').waitFor();
  assert.match(await page.locator('.lesson-bar .verdict').innerText(), /Not quite: you said no; it is yes\. c1: stored mixer,tea \[D:2\]; D answered with its own copy after the replies of C and A, A standing in for B/);
  await page.screenshot({ path: join(SHOTS, 'presenting-hinted-beat3-1280x720.png') });
  // The speaker view drives the projected page too.
  await speaker.click('.speaker-view button.next');
  await page.waitForFunction(() => document.querySelector('.lesson-bar')?.dataset.beat === '4');
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => document.querySelector('.lesson-bar')?.dataset.beat === '3');
  await speaker.locator('.speaker-view .beat-count').filter({ hasText: 'Beat 3 of 6' }).waitFor();
  await speaker.screenshot({ path: join(SHOTS, 'speaker-view.png') });
  await page.click('.lesson-bar button.stop-presenting');
  assert.equal(await page.locator('.app.presenting').count(), 0);
  await page.locator('.scenario-bar').waitFor();
  assert.deepEqual(problems, []);
  assert.deepEqual(speakerProblems, []);
  await context.close();
});

test('every lesson plays to its last beat in presenter mode by clicker keys (a screenshot of each key beat)', async () => {
  const { page, context, problems } = await freshPage(server.url);
  const lessons = await page.locator('select.lessons option').evaluateAll((os) => os.filter((o) => o.value !== '').map((o) => o.textContent));
  assert.ok(lessons.length >= 7, `${lessons}`);
  for (const [i, title] of lessons.entries()) {
    await page.selectOption('select.lessons', { label: title });
    await page.waitForSelector('.lesson-bar');
    await page.click('.lesson-bar button.present');
    const count = Number((await page.locator('.lesson-bar .beat-count').innerText()).match(/of (\d+)/)[1]);
    for (let beat = 1; beat <= count; beat++) {
      await page.waitForFunction((b) => document.querySelector('.lesson-bar')?.dataset.beat === String(b), beat);
      if (await page.locator('.lesson-bar .question.asking').count()) {
        await page.keyboard.press('PageDown'); // "show me": the steps run unanswered
        await page.locator('.lesson-bar .question.answered .verdict').waitFor();
        await page.screenshot({ path: join(SHOTS, `lesson-${i + 1}-beat-${beat}-1280x720.png`) });
      }
      if (beat < count) await page.keyboard.press('PageDown');
    }
    await page.waitForFunction(() => document.querySelector('button.next-beat')?.disabled === true);
    await page.screenshot({ path: join(SHOTS, `lesson-${i + 1}-end-1280x720.png`) });
    await page.click('.lesson-bar button.stop-presenting');
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('the strategies lesson: a prediction answered with a strategy button, then three rings side by side', async () => {
  for (const viewport of [{ width: 1280, height: 720 }, { width: 1600, height: 1000 }]) {
    const { page, context, problems } = await freshPage(server.url, viewport);
    await page.selectOption('select.lessons', { label: 'Lesson: three partitioning strategies' });
    await page.waitForSelector('.lesson-bar');
    await page.keyboard.press('n');
    await page.locator('.lesson-bar .question.asking').waitFor();
    // The view that would give the answer away is not on screen while the room predicts.
    assert.equal(await page.locator('.strategies-inspector').count(), 0);
    await page.click('.lesson-bar button.answer-strategy-3');
    const verdict = await page.locator('.lesson-bar .question.answered .verdict').innerText();
    assert.match(verdict, /strategy 3 \d+% \(64 membership entries\)/);
    assert.match(verdict, /Strategy 3 spreads the load most evenly, over 4096 sample keys/);
    assert.equal(await page.locator('.lesson-bar .question.answered .verdict .right').count(), 1);
    await page.keyboard.press('n');
    const cards = page.locator('.strategies-inspector .strategy-card');
    await cards.first().waitFor();
    assert.equal(await cards.count(), 3);
    assert.match(await cards.nth(2).innerText(), /Strategy 3, Q = 64/);
    // Eight nodes, a load bar each; strategy 3 keeps one membership entry per partition.
    assert.equal(await cards.nth(0).locator('.load-row').count(), 8);
    assert.match(await cards.nth(2).locator('.membership').innerText(), /^64 membership entries per node: one per partition/);
    // Each ring draws the ring's tokens: 8 × 8 random ones, and Q = 64 dealt out.
    assert.equal(await cards.nth(0).locator('.strategy-token').count(), 64);
    assert.equal(await cards.nth(2).locator('.partition-boundary').count(), 64);
    await page.screenshot({ path: join(SHOTS, `strategies-${viewport.width}x${viewport.height}.png`) });
    assert.deepEqual(problems, []);
    await context.close();
  }
});
