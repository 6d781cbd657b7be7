import { setup, fresh, moment, projector } from './tmp-review-lib.mjs';
const { server, browser } = await setup();
try {
  const { page, problems } = await fresh(browser, server.url);
  await projector(page);
  await page.screenshot({ path: '/tmp/review/01-projector-initial-1280.png' });
  await page.selectOption('select.examples', { label: 'Figure 3: version evolution of an object over time' });
  await page.waitForSelector('.step-strip .next');
  await page.waitForTimeout(300);
  await page.screenshot({ path: '/tmp/review/02-fig3-opened-1280-proj.png' });
  const stripHtml = await page.locator('.step-strip').evaluate(e => e.outerHTML);
  console.log(stripHtml.slice(0, 3000));
  console.log('scenario row:', await page.locator('.scenarios, .scenario-row').first().innerText().catch(()=>'?'));
  for (let i = 1; i <= 12; i++) {
    await page.keyboard.press('n');
    await page.waitForTimeout(600);
    const m = await moment(page);
    console.log(`--- after n #${i}: time=${m.time} next=${m.next} hash=${m.hashText}`);
    console.log(m.log.split('\n').slice(0, 6).join('\n'));
    await page.screenshot({ path: `/tmp/review/03-fig3-step${String(i).padStart(2,'0')}-1280-proj.png` });
  }
  console.log('problems', problems);
} finally { await browser.close(); server.close(); }
