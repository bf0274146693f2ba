// Analysing a raw motion file from the history page on a 360 px phone: the real backward walk
// (CMU 09_12, sensor on the right foot) read against its forward warm-up, then without one,
// picking the forward stretch from the result. The pages must not scroll sideways (only the
// table may) and no text may be under 12 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, phonePage, audit, shot, measure, saveFigures, noProblems, personWithPlan, root,
} from './support.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); saveFigures('motion-file-figures.json'); });

const file = `${root}/testdata/motion/backward-mocap/09_12_right_foot.csv`;

// The page is no wider than the screen, and no visible text is smaller than 12 px.
async function fitsThePhone(page, name) {
  const { scroll, width, small } = await page.evaluate(() => {
    const small = [];
    for (const el of document.querySelectorAll('body *')) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own || !el.getClientRects().length || el.closest('.visually-hidden')) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 12) small.push(`${el.tagName} ${size}px: ${el.textContent.trim().slice(0, 40)}`);
    }
    return { scroll: document.documentElement.scrollWidth, width: window.innerWidth, small };
  });
  assert.ok(scroll <= width, `${name}: the page is ${scroll} px wide on a ${width} px screen`);
  assert.deepEqual(small, [], `${name}: text under 12 px`);
}

async function analyse(page, base, forward) {
  await page.goto(`${base}/history/motion`);
  await page.setInputFiles('#file', file);
  await page.check('input[name=placement][value=foot]');
  if (forward) {
    await page.fill('#forward_from', forward[0]);
    await page.fill('#forward_to', forward[1]);
  }
  await Promise.all([page.waitForSelector('h1:has-text("What the motion shows")'), page.click('button:has-text("Analyse the file")')]);
}

test('a motion file on a 360 px phone: directions in words, and a forward stretch picked afterwards', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser, { viewport: { width: 360, height: 740 } });
  await personWithPlan(page, base);

  // From the history page to the form.
  await page.goto(`${base}/history`);
  await Promise.all([page.waitForURL(/\/history\/motion$/), page.click('text=Analyse a motion file')]);
  await measure(page, 'motion form');
  assert.match(await page.textContent('legend >> nth=0'), /Where was the sensor worn\?/);
  assert.match(await page.textContent('main'), /such as a warm-up/);
  await audit(page, 'motion form');
  await fitsThePhone(page, 'motion form');
  await shot(page, '40-motion-form-360');

  // A forward stretch that is not a stretch of time is refused beside the field.
  await page.goto(`${base}/history/motion`);
  await page.setInputFiles('#file', file);
  await page.check('input[name=placement][value=foot]');
  await page.fill('#forward_from', '0:09');
  await page.fill('#forward_to', 'soon');
  await page.click('button:has-text("Analyse the file")');
  assert.match(await page.textContent('#forward_to-error'), /is not a time/);
  await audit(page, 'motion form with errors');
  await fitsThePhone(page, 'motion form with errors');

  // With the warm-up given: forward (given), then backward (sure); the two strides just after
  // the turn are too few to tell.
  await analyse(page, base, ['0', '7.25']);
  await measure(page, 'motion result');
  const table = await page.textContent('table.stretches');
  assert.match(table, /forward \(given\)/);
  assert.match(table, /backward \(sure\) \(\d+% likely\)/);
  assert.match(table, /can't tell from this recording/);
  assert.match(await page.textContent('main'), /two per stride of the foot with the sensor/);
  assert.equal(await page.locator('text=I walked this one forward').count(), 0, 'no offer once calibrated');
  await audit(page, 'motion result');
  await fitsThePhone(page, 'motion result');
  await shot(page, '41-motion-result-360');

  // Without one: can't tell, and the offer to pick a stretch.
  await analyse(page, base, null);
  assert.match(await page.textContent('table.stretches'), /can't tell from this recording/);
  assert.match(await page.textContent('#offer'), /pick it/i);
  await audit(page, 'motion result, no forward stretch');
  await fitsThePhone(page, 'motion result, no forward stretch');
  await shot(page, '42-motion-offer-360');
  await Promise.all([
    page.waitForSelector('text=as you said'),
    page.locator('button:has-text("I walked this one forward")').first().click(),
  ]);
  const picked = await page.textContent('table.stretches');
  assert.match(picked, /backward \(sure\)/);
  assert.doesNotMatch(picked, /can't tell/);
  await fitsThePhone(page, 'motion result after picking');
  await shot(page, '43-motion-picked-360');
  noProblems(page);
  await context.close();
});
