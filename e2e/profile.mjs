// Profiles the page while playing (Chromium CPU profile, self time per function); a
// development aid: `cd e2e && NODES=128 node profile.mjs` after `trunk build --release`.
import { serveDist } from './serve.mjs';
import { launch } from './browser.mjs';
const server = await serveDist(new URL('../dist', import.meta.url).pathname);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
await page.goto(server.url + '?load=on&nodes=' + (process.env.NODES ?? 128));
await page.waitForSelector('svg.ring g.node');
await page.click('button.play');
await page.waitForTimeout(1000);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.start');
await page.waitForTimeout(4000);
const { profile } = await cdp.send('Profiler.stop');
const self = new Map();
const dt = profile.timeDeltas; const counts = new Map();
profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
let total = 0;
for (const node of profile.nodes) {
  const t = (counts.get(node.id) ?? 0) / 1000;
  total += t;
  const name = node.callFrame.functionName || `(${node.callFrame.url.split('/').pop()})`;
  self.set(name, (self.get(name) ?? 0) + t);
}
console.log('total ms', total.toFixed(0));
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(v.toFixed(0).padStart(7), k.slice(0, 120));
await browser.close(); server.close();
