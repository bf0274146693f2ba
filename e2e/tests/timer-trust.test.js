// A timer you can trust, and charts that read at a glance (issue 14): a pause that looks paused,
// skips that can be undone and are not counted as walked, pain scores that are asked at the
// right time and never default to 0, and progress charts with round axes that read on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, phonePage, audit, shot, shots, noProblems, personWithPlan, signUp, api,
} from './support.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const PHONE = { width: 360, height: 740 };
const LAPTOP = { width: 1280, height: 800 };

const timerState = (page) => page.evaluate(() => {
  const key = Object.keys(localStorage).find((k) => k.startsWith('retrostride.timer.'));
  return key ? JSON.parse(localStorage.getItem(key)) : null;
});

// The block the timer is in, from the label "Warm-up · block 2 of 9".
const blockNumber = async (page) => Number((await page.textContent('#timer-label')).match(/block (\d+) of/)[1]);

test('a paused session looks paused, large and unmistakable, and says how to resume', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser, { viewport: PHONE });
  await personWithPlan(page, base);
  await page.clock.install();
  await page.goto(`${base}/today/run`);
  await page.click('#timer-start');
  await page.clock.runFor(20000);
  const runningBackground = await page.evaluate(() => getComputedStyle(document.getElementById('timer')).backgroundColor);
  assert.ok(await page.locator('#timer-paused').isHidden(), 'no pause sign while running');

  await page.click('#timer-pause');
  const sign = page.locator('#timer-paused');
  assert.ok(await sign.isVisible(), 'the pause sign shows');
  assert.match(await sign.textContent(), /Paused/i);
  assert.match(await sign.textContent(), /Resume/, 'it says how to go on');
  const look = await page.evaluate(() => {
    const word = document.querySelector('.timer-paused-word');
    const r = word.getBoundingClientRect();
    return {
      size: parseFloat(getComputedStyle(word).fontSize),
      top: r.top,
      bottom: r.bottom,
      background: getComputedStyle(document.getElementById('timer')).backgroundColor,
      title: document.title,
    };
  });
  assert.ok(look.size >= 48, `the word "Paused" is large (${look.size}px)`);
  assert.ok(look.top >= 0 && look.bottom <= PHONE.height, 'the word is on screen without scrolling');
  assert.notEqual(look.background, runningBackground, 'a paused screen is not coloured like a running one');
  assert.match(look.title, /^Paused/, 'the tab title says paused too');
  // The clock does not move while paused.
  const shown = await page.textContent('#timer-clock');
  await page.clock.runFor(30000);
  assert.equal(await page.textContent('#timer-clock'), shown);
  await audit(page, 'timer paused');
  await shot(page, 'trust-01-paused-360', false);
  await page.setViewportSize(LAPTOP);
  await shot(page, 'trust-02-paused-laptop', false);

  await page.click('#timer-resume');
  assert.ok(await sign.isHidden(), 'the pause sign goes on resume');
  noProblems(page);
  await context.close();
});

test('a skip can be undone, skipped time is not walked, and all backward blocks skipped is not 100%', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser, { viewport: PHONE });
  await personWithPlan(page, base);
  await page.clock.install();
  await page.goto(`${base}/today/run`);
  const plan = JSON.parse(await page.textContent('#session-plan'));
  await page.click('#timer-start');
  await page.clock.runFor(10000);

  // Skip the warm-up by mistake, then undo: back in block 1 with its time left.
  await page.click('#timer-skip');
  await page.clock.runFor(300);
  assert.equal(await blockNumber(page), 2);
  assert.ok(await page.locator('#timer-undo').isVisible(), 'an undo is offered');
  await shot(page, 'trust-03-skipped-undo-360', false);
  await page.click('#timer-undo');
  await page.clock.runFor(300);
  assert.equal(await blockNumber(page), 1, 'undo goes back to the skipped block');
  assert.match(await page.textContent('#timer-status'), /Skip undone/);
  const undone = await timerState(page);
  assert.equal(Object.values(undone.skips).reduce((a, b) => a + b, 0), 0, 'no skipped time is left');
  const [m, s] = (await page.textContent('#timer-clock')).split(':').map(Number);
  assert.ok(Math.abs(m * 60 + s - (plan.blocks[0].seconds - 11)) <= 1, 'the block goes on where it was left');
  assert.ok(await page.locator('#timer-undo').isHidden(), 'nothing left to undo');

  // Now walk every forward block to its end and skip every backward one as it starts.
  const where = () => page.evaluate((blocks) => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('retrostride.timer.'));
    const st = JSON.parse(localStorage.getItem(key));
    const skipped = Object.values(st.skips).reduce((a, b) => a + b, 0);
    const at = (st.status === 'paused' ? st.pausedAt : Date.now()) - st.startedAt - st.pausedMs + skipped;
    let end = 0;
    for (const [i, b] of blocks.entries()) {
      end += b.seconds * 1000;
      if (at < end) return { status: st.status, i, left: end - at };
    }
    return { status: st.status, i: blocks.length, left: 0 };
  }, plan.blocks);
  for (let guard = 0; guard < 100; guard += 1) {
    const now = await where();
    if (now.status === 'finished' || now.i >= plan.blocks.length) break;
    if (plan.blocks[now.i].direction === 'backward') {
      await page.click('#timer-skip');
    } else {
      await page.clock.runFor(now.left);
    }
  }
  await page.clock.runFor(500);
  await page.waitForSelector('#timer-finish:not([hidden])');
  const walked = await page.textContent('#finish-walked');
  assert.match(walked, /You walked 0:00 of/);
  assert.match(walked, /\(0% of the plan\)/);
  assert.match(walked, /skipped time is not counted/);
  await page.fill('#pain_before', '2');
  await page.fill('#pain_after', '2');
  await page.selectOption('#rpe', '12'); // effort is never pre-selected
  await Promise.all([page.waitForURL(/\/history\?logged=1/), page.click('#finish-save')]);
  // The history says what was walked of the dose.
  assert.match(await page.locator('table.history tbody tr').first().textContent(), /0 s of 5 min planned \(0%\)/);

  // Adherence counts what was walked: nothing backward, so 0%, not "1 of 1 sessions (100%)".
  await page.goto(`${base}/progress`);
  const lead = await page.textContent('.lead');
  assert.match(lead, /\(0%\)/, lead);
  assert.doesNotMatch(lead, /100%/);
  const summary = await api(page, 'GET', '/api/v1/progress');
  assert.equal(summary.body.adherence.backward_seconds_walked, 0);
  assert.equal(summary.body.adherence.share, 0);
  // And the coach steps down rather than advancing.
  await page.goto(`${base}/today`);
  assert.match(await page.textContent('main'), /You did 0% of the planned backward time/);
  noProblems(page);
  await context.close();
});

test('pain before is asked before the start and pain after at the end; neither defaults to 0', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser, { viewport: PHONE });
  await personWithPlan(page, base);
  await page.clock.install();
  await page.goto(`${base}/today/run`);
  const plan = JSON.parse(await page.textContent('#session-plan'));
  const start = page.locator('#start-pain');
  assert.ok(await start.isVisible(), 'pain before is asked on the start screen');
  assert.equal(await start.inputValue(), '', 'and is not filled in for the person');
  await audit(page, 'timer ready with pain');
  await shot(page, 'trust-04-ready-pain-360', false);
  await page.setViewportSize(LAPTOP);
  await shot(page, 'trust-04-ready-pain-laptop', false);
  await page.setViewportSize(PHONE);
  await page.fill('#start-pain', '12');
  await page.click('#timer-start');
  assert.equal((await timerState(page)), null, 'a pain of 12 does not start the session');
  assert.match(await page.textContent('#start-pain-error'), /0 to 10/);
  await page.fill('#start-pain', '4');
  await page.click('#timer-start');
  assert.equal((await timerState(page)).painBefore, 4);
  assert.ok(await start.isHidden(), 'the question goes once the session runs');
  const total = plan.blocks.reduce((a, b) => a + b.seconds, 0) * 1000;
  await page.clock.runFor(total + 1000);
  await page.waitForSelector('#timer-finish:not([hidden])');
  assert.equal(await page.inputValue('#pain_before'), '4', 'the answer from the start is carried to the end');
  assert.equal(await page.inputValue('#pain_after'), '', 'pain after is asked, not assumed to be 0');
  await audit(page, 'timer finish with pain');
  await shot(page, 'trust-05-finish-pain-360');
  // Left empty, pain after is logged as not given (effort must be chosen: it never defaults).
  await page.selectOption('#rpe', '12');
  await Promise.all([page.waitForURL(/\/history\?logged=1/), page.click('#finish-save')]);
  assert.match(await page.locator('table.history tbody tr').first().textContent(), /4 → not given/);
  const listed = await api(page, 'GET', '/api/v1/sessions');
  assert.equal(listed.body.items[0].pain_before, 4);
  assert.equal(listed.body.items[0].pain_after, null);
  // The coach does not read the missing score as "no pain": it holds, and says why.
  await page.goto(`${base}/today`);
  assert.match(await page.textContent('.decision'), /Hold/);
  assert.match(await page.textContent('main'), /Pain after was not given/);

  // The hand-log form leaves both empty too, and logs them as not given.
  await page.goto(`${base}/log`);
  await page.selectOption('#rpe', '11'); // effort is never pre-selected
  assert.equal(await page.inputValue('#pain_before'), '');
  assert.equal(await page.inputValue('#pain_after'), '');
  await page.fill('#backward_minutes', '5');
  await Promise.all([page.waitForURL(/\/history/), page.click('button[type=submit]')]);
  assert.match(await page.locator('table.history tbody tr').first().textContent(), /not given/);
  await page.goto(`${base}/log`);
  await page.selectOption('#rpe', '11'); // effort is never pre-selected
  await page.setViewportSize(LAPTOP);
  await audit(page, 'log form at laptop width');
  await shot(page, 'trust-08-log-laptop');
  // An API client may leave them out.
  const logged = await api(page, 'POST', '/api/v1/sessions', {
    started_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), setting: 'ground',
    blocks: [{ direction: 'backward', seconds: 120 }], rpe: 12,
  });
  assert.equal(logged.status, 201, JSON.stringify(logged.body));
  assert.equal(logged.body.pain_before, null);
  // Export keeps "not given" as null.
  const exported = await api(page, 'GET', '/api/v1/export');
  assert.ok(exported.body.sessions.some((s) => s.pain_after === null));
  noProblems(page);
  await context.close();
});

// Every text of every chart: its rendered size, its box, and the chart's box.
const chartTexts = (page) => page.evaluate(() => [...document.querySelectorAll('svg.chart')].map((svg) => {
  const box = svg.getBoundingClientRect();
  return {
    title: svg.querySelector('title').textContent,
    box: { left: box.left, right: box.right, top: box.top, bottom: box.bottom },
    texts: [...svg.querySelectorAll('text')].map((t) => {
      const r = t.getBoundingClientRect();
      return {
        text: t.textContent, anchor: t.getAttribute('text-anchor'), y: t.getAttribute('y'),
        px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
        left: r.left, right: r.right, top: r.top, bottom: r.bottom,
      };
    }),
  };
}));

test('progress charts read at a glance: nothing-yet words, round ticks, no overlap, readable on a 360 px phone', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser, { viewport: PHONE });
  await signUp(page, base);

  // Nothing logged: words, not empty axes.
  await page.goto(`${base}/progress`);
  assert.equal(await page.locator('svg.chart').count(), 0, 'no empty chart');
  assert.ok(await page.locator('.chart-empty').count() >= 3);
  assert.match(await page.textContent('main'), /Nothing logged in the last 12 weeks yet/);
  await audit(page, 'progress empty');
  await shot(page, 'trust-06-progress-empty-360');

  // 30 backward minutes this week, 20 last week; two 3MBWT results.
  const day = (daysAgo) => new Date(Date.now() - daysAgo * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  for (const [ago, minutes, pain] of [[0, 18, [3, 2]], [0, 12, [2, 2]], [7, 20, [4, 3]]]) {
    const r = await api(page, 'POST', '/api/v1/sessions', {
      started_at: day(ago), setting: 'ground', blocks: [{ direction: 'backward', seconds: minutes * 60 }],
      rpe: 13, pain_before: pain[0], pain_after: pain[1],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  for (const seconds of [12.3, 9.6]) {
    const r = await api(page, 'POST', '/api/v1/assessments', { kind: 'three_mbwt', seconds, population: 'older-adults' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  for (const viewport of [PHONE, LAPTOP]) {
    await page.setViewportSize(viewport);
    await page.goto(`${base}/progress`);
    const charts = await chartTexts(page);
    assert.ok(charts.length >= 4, `${charts.length} charts`);
    const backward = charts.find((c) => /Backward minutes/.test(c.title));
    const ticks = backward.texts.filter((t) => t.anchor === 'end').map((t) => t.text);
    assert.deepEqual(ticks, ['0', '10', '20', '30'], 'a 30-minute week gets a 0-30 axis');
    for (const chart of charts) {
      for (const t of chart.texts) {
        if (t.anchor === 'end' && /^-?\d/.test(t.text)) {
          assert.match(t.text, /^-?\d+$/, `${chart.title}: tick ${t.text} is round`);
        }
        assert.ok(t.px >= 12, `${chart.title}: "${t.text}" is ${t.px.toFixed(1)} px at ${viewport.width} px wide`);
        assert.ok(t.left >= chart.box.left - 0.5 && t.right <= chart.box.right + 0.5
          && t.top >= chart.box.top - 0.5 && t.bottom <= chart.box.bottom + 0.5,
        `${chart.title}: "${t.text}" is cut off at ${viewport.width} px wide`);
      }
      const under = chart.texts.filter((t) => t.anchor === 'middle').sort((a, b) => a.left - b.left);
      for (let i = 1; i < under.length; i += 1) {
        assert.ok(under[i].left >= under[i - 1].right, `${chart.title}: "${under[i - 1].text}" and "${under[i].text}" overlap`);
      }
    }
    // Wide tables scroll inside their box; the page itself does not get wider than the screen.
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      screen: window.innerWidth,
      tables: [...document.querySelectorAll('.table-wrap')].map((w) => ({
        name: w.getAttribute('aria-label'),
        fits: w.getBoundingClientRect().right <= window.innerWidth + 0.5,
        scrolls: ['auto', 'scroll'].includes(getComputedStyle(w).overflowX),
        overflows: w.scrollWidth > w.clientWidth + 1,
        // Shadows at the edges say there is more to scroll to.
        cue: getComputedStyle(w).backgroundImage.includes('gradient'),
      })),
    }));
    assert.ok(widths.page <= widths.screen, `the page is ${widths.page} px wide on a ${widths.screen} px screen`);
    for (const t of widths.tables) {
      assert.ok(t.fits && t.scrolls && (!t.overflows || t.cue), `table ${t.name} is cut off: ${JSON.stringify(t)}`);
    }
    // The assessments' long sentences stack on a phone rather than run off the side.
    assert.ok(!widths.tables.find((t) => t.name === 'Assessments').overflows, 'the assessments table fits');
    await audit(page, `progress at ${viewport.width}`);
    await shot(page, `trust-07-progress-${viewport.width}`);
    // Each card on its own too, to look at closely.
    const cards = page.locator('main .card');
    for (let i = 0; i < await cards.count(); i += 1) {
      await cards.nth(i).screenshot({ path: `${shots}/trust-07-progress-${viewport.width}-card${i}.png` });
    }
  }
  noProblems(page);
  await context.close();
});
