// Screenshots of the page at projector and desk sizes, for looking at before UI work is
// called done: `cd e2e && node shots.mjs` after `trunk build --release` (into screenshots/).
import { mkdir } from 'node:fs/promises';
import { serveDist } from './serve.mjs';
import { launch } from './browser.mjs';

const out = new URL('./screenshots/', import.meta.url).pathname;
await mkdir(out, { recursive: true });
const server = await serveDist(new URL('../dist', import.meta.url).pathname);
const browser = await launch();
for (const [width, height] of [[1280, 720], [1600, 1000], [1920, 1080]]) {
  for (const projector of [false, true]) {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(server.url);
    await page.waitForSelector('svg.ring g.node');
    if (projector) await page.locator('.large-text input').check();
    await page.locator('.client[data-client="alice"] button.put').click();
    await page.click('g.node[data-node="C"]');
    await page.selectOption('.speed select', '20');
    await page.click('button.play');
    await page.waitForTimeout(700);
    await page.click('button.play');
    const name = `layout-${width}x${height}${projector ? '-projector' : ''}.png`;
    await page.screenshot({ path: out + name });
    const tall = await page.evaluate(() => document.documentElement.scrollHeight);
    console.log(name, 'page height', tall);
    await page.close();
  }
}
await browser.close();
server.close();
