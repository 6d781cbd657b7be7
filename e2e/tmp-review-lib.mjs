import { serveDist } from '/work/main/e2e/serve.mjs';
import { launch } from '/work/main/e2e/browser.mjs';
export async function setup() {
  const server = await serveDist('/work/main/dist');
  const browser = await launch();
  return { server, browser };
}
export async function fresh(browser, url, viewport = { width: 1280, height: 720 }, opts = {}) {
  const ctx = await browser.newContext({ viewport, acceptDownloads: true, ...opts });
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('svg.ring g.node', { timeout: 15000 }).catch(() => problems.push('no ring'));
  return { page, ctx, problems };
}
export async function moment(page) {
  return {
    time: await page.locator('.virtual-time').innerText().catch(() => null),
    hash: await page.locator('.trace-hash').getAttribute('title').catch(() => null),
    hashText: await page.locator('.trace-hash').innerText().catch(() => null),
    logLines: (await page.locator('ol.log').innerText().catch(() => '')).split('\n').length,
    log: await page.locator('ol.log').innerText().catch(() => null),
    next: await page.locator('.step-strip .next b').innerText().catch(() => null),
  };
}
export async function projector(page, on = true) {
  const cb = page.locator('label.large-text input');
  if ((await cb.isChecked()) !== on) await cb.click();
}
