// What must not go wrong: a reload in the middle of a session resumes it, a dropped connection
// loses no log, and someone the screening refers to a clinician gets an explanation and a
// printable summary, not a plan.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, phonePage, audit, shot, measure, saveFigures, noProblems, cueRecorder,
  personWithPlan, signUp, api, clearAnswers, watchProblems,
} from './support.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); saveFigures('resilience-figures.json'); });

// Puts a session log in the outbox, as the timer leaves it after a failed send.
const queueLog = (page, id, backwardSeconds) => page.evaluate(({ id, backwardSeconds }) => {
  const started = new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  localStorage.setItem('retrostride.outbox', JSON.stringify([{ id, body: {
    started_at: started, setting: 'ground', blocks: [{ direction: 'backward', seconds: backwardSeconds }],
    rpe: 11, pain_before: 1, pain_after: 1, near_falls: 0, felt_safe: true, notes: '', source: 'timer' } }]));
}, { id, backwardSeconds });

const timerState = (page) => page.evaluate(() => {
  const key = Object.keys(localStorage).find((k) => k.startsWith('retrostride.timer.'));
  return key ? JSON.parse(localStorage.getItem(key)) : null;
});

test('a reload in the middle of a session resumes it where the clock says', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await personWithPlan(page, base);
  // Measured without a fake clock first: the timer page's own figures.
  await page.goto(`${base}/today/run`);
  await measure(page, 'timer');
  await page.addInitScript(cueRecorder);
  await page.clock.install();
  await page.goto(`${base}/today/run`);
  const plan = JSON.parse(await page.textContent('#session-plan'));
  await page.click('#timer-start');
  const first = plan.blocks[0].seconds * 1000;
  await page.clock.runFor(first + 30000); // 30 s into the second block
  const before = await timerState(page);
  assert.equal(before.cued, 1);
  await page.reload();
  await page.clock.runFor(1000);
  const after = await timerState(page);
  assert.equal(after.startedAt, before.startedAt, 'the same session goes on');
  assert.equal(after.status, 'running');
  assert.match(await page.textContent('#timer-status'), /Resumed after a reload/);
  assert.match(await page.textContent('#timer-label'), /block 2 of/);
  // The block is 30-31 s in, so its clock shows what is left of it, not a restart.
  const left = (plan.blocks[1].seconds - 31);
  const shown = await page.textContent('#timer-clock');
  const [m, s] = shown.split(':').map(Number);
  assert.ok(Math.abs(m * 60 + s - left) <= 1, `clock shows ${shown}, expected about ${left} s left`);
  // The reloaded page does not cue the block it came back into again.
  const cues = await page.evaluate(() => window.__cues);
  assert.equal(cues.filter((c) => c.kind === 'speech' && !/In ten seconds/.test(c.text)).length, 0);
  await shot(page, '20-timer-resumed', false);
  // Pause, skip and resume still work after the reload.
  await page.click('#timer-pause');
  assert.equal((await timerState(page)).status, 'paused');
  await page.clock.runFor(60000);
  await page.click('#timer-resume');
  assert.match(await page.textContent('#timer-label'), /block 2 of/, 'a pause does not move the session on');
  await page.click('#timer-skip');
  await page.clock.runFor(500);
  assert.match(await page.textContent('#timer-label'), /block 3 of/);
  noProblems(page);
  await context.close();
});

test('a dropped connection keeps the log until the network returns, then sends it once', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await personWithPlan(page, base);
  await page.clock.install();
  await page.goto(`${base}/today/run`);
  const plan = JSON.parse(await page.textContent('#session-plan'));
  const total = plan.blocks.reduce((a, b) => a + b.seconds, 0) * 1000;
  await page.click('#timer-start');
  await context.setOffline(true);
  await page.clock.runFor(total + 1000); // the timer carries on without the network
  await page.waitForSelector('#timer-finish:not([hidden])');
  await page.fill('#pain_before', '2');
  await page.fill('#pain_after', '2');
  await page.selectOption('#rpe', '12'); // effort is never pre-selected
  await page.click('#finish-save');
  await page.waitForFunction(() => /saved on this device/i.test(document.getElementById('finish-error').textContent));
  const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('retrostride.outbox')));
  assert.equal(queued.length, 1);
  assert.equal(queued[0].body.source, 'timer');
  assert.equal(queued[0].body.blocks.reduce((a, b) => a + b.seconds, 0), total / 1000);
  await audit(page, 'timer offline');
  await shot(page, '21-timer-offline');
  await context.setOffline(false);
  await page.waitForFunction(() => /Sent/.test(document.getElementById('finish-error').textContent), null, { timeout: 20000 });
  assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('retrostride.outbox'))), []);
  const listed = await api(page, 'GET', '/api/v1/sessions');
  assert.equal(listed.body.items.length, 1, 'logged exactly once');
  assert.equal(listed.body.items[0].backward_seconds, plan.blocks.filter((b) => b.direction === 'backward').reduce((a, b) => a + b.seconds, 0));
  noProblems(page);
  await context.close();
});

test('a log queued on one page is sent from another once the connection returns', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await personWithPlan(page, base);
  await page.goto(`${base}/history`);
  await queueLog(page, 'x', 300);
  await page.goto(`${base}/progress`);
  await page.waitForFunction(() => localStorage.getItem('retrostride.outbox') === '[]');
  const listed = await api(page, 'GET', '/api/v1/sessions');
  assert.equal(listed.body.items.length, 1);
  noProblems(page);
  await context.close();
});

test('an answer lost on the way back is retried without logging the session twice', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await personWithPlan(page, base);
  await page.goto(`${base}/history`);
  await queueLog(page, 'lost-answer-1', 240);
  // The server stores the first upload, but its answer never reaches the browser.
  let reached = 0;
  await page.route('**/api/v1/sessions', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    reached += 1;
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.goto(`${base}/progress`);
  await page.waitForFunction(() => document.getElementById('outbox-status').textContent.includes('saved on this device'));
  assert.equal(reached, 1);
  await page.unroute('**/api/v1/sessions');
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.waitForFunction(() => localStorage.getItem('retrostride.outbox') === '[]');
  const listed = await api(page, 'GET', '/api/v1/sessions');
  assert.equal(listed.body.items.length, 1, 'the retry found the first log instead of adding a second');
  noProblems(page);
  await context.close();
});

test('a referral to a clinician gives reasons and a printable summary, never a plan', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await signUp(page, base);
  await page.fill('#age', '71');
  await page.click('button[name=next]');
  for (let step = 2; step <= 19; step += 1) {
    const question = await page.textContent('legend');
    const yes = /fallen in the last 12 months/.test(question) || /active on purpose/.test(question);
    await page.click(`label.choice:has-text("${yes ? 'Yes' : 'No'}")`);
    await page.click('button[name=next]');
  }
  await page.waitForURL(/\/start\/clearance/);
  assert.match(await page.textContent('h1'), /talk to a clinician/);
  assert.match(await page.textContent('.reasons'), /fall/i);
  assert.equal(await page.locator('a[href="/start/plan"]').count(), 0, 'no way to a plan');
  await audit(page, 'clearance refused');
  await shot(page, '22-clearance-refused');
  await page.click('text=Summary for your clinician');
  await measure(page, 'clinician summary');
  assert.match(await page.textContent('main'), /Have you fallen in the last 12 months/);
  await audit(page, 'clinician summary');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('header.site'), false, 'the printout has no navigation');
  await shot(page, '23-clinician-summary-print');
  await page.emulateMedia({ media: 'screen' });
  // Every way to a plan is closed.
  await page.goto(`${base}/start/plan`);
  assert.match(page.url(), /\/start\/clearance$/);
  await page.goto(`${base}/today`);
  assert.match(page.url(), /\/start\/clearance$/);
  const refused = await api(page, 'POST', '/api/v1/plans', { goal: 'knee', setting: 'ground', level: 'new', days_per_week: 3, weeks: 6, start: '2026-12-01' });
  assert.equal(refused.status, 403);
  // With a clinician's approval the same person may start, with precautions.
  const approved = await api(page, 'POST', '/api/v1/screenings', { ...clearAnswers, age: 71, fall_last_12_months: true, clinician_approved: true });
  assert.equal(approved.status, 201);
  await page.goto(`${base}/start/clearance`);
  assert.match(await page.textContent('h1'), /with the precautions/);
  assert.ok(await page.locator('.precautions li').count() >= 1);
  noProblems(page);
  await context.close();
});

test('the remaining pages pass the audit: sign-in, not found, and the desktop layout', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await page.goto(`${base}/signin`);
  await measure(page, 'signin');
  await page.fill('#email', 'nobody@example.org');
  await page.fill('#password', 'wrong password here');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.error-summary'), /wrong/);
  await audit(page, 'signin refused');
  const missing = await page.goto(`${base}/history/999999`);
  assert.equal(missing.status(), 200, 'signed out: sent to sign in');
  assert.match(page.url(), /\/signin\?next=/);
  await personWithPlan(page, base);
  const notFound = await page.goto(`${base}/history/999999`);
  assert.equal(notFound.status(), 404);
  await audit(page, 'not found');
  // A form from another session is refused with an explanation.
  const forged = await page.evaluate(async () => {
    const r = await fetch('/log', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'csrf=forged&date=2026-11-20' });
    return { status: r.status, text: await r.text() };
  });
  assert.equal(forged.status, 403);
  assert.match(forged.text, /form has expired/);
  await context.close();

  // From 360 px wide nothing scrolls sideways (tables scroll inside their own region).
  const narrow = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const small = await narrow.newPage();
  await small.goto(`${base}/`);
  await personWithPlan(small, base);
  await api(small, 'POST', '/api/v1/sessions', { started_at: '2026-11-20T07:00:00Z', setting: 'ground', blocks: [{ direction: 'backward', seconds: 300 }], rpe: 12, pain_before: 2, pain_after: 1, near_falls: 1, notes: 'windy' });
  for (const path of ['/', '/today', '/today/run', '/log', '/history', '/progress', '/assess/3mbwt', '/settings', '/start/clearance']) {
    await small.goto(`${base}${path}`);
    const width = await small.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${path} is ${width} px wide at 360 px`);
    if (path === '/history') await shot(small, '32-history-360');
  }
  // The timer is usable from the keyboard alone.
  await small.goto(`${base}/today/run`);
  let focused = '';
  for (let i = 0; i < 10 && focused !== 'timer-start'; i += 1) {
    await small.keyboard.press('Tab');
    focused = await small.evaluate(() => document.activeElement?.id || '');
  }
  assert.equal(focused, 'timer-start', 'Tab reaches the Start button');
  await small.keyboard.press('Enter');
  assert.equal(await small.evaluate(() => document.activeElement?.id), 'timer-pause', 'focus moves to Pause');
  await small.keyboard.press('Space');
  assert.equal(await small.getAttribute('#timer', 'data-state'), 'paused');
  await narrow.close();

  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const wide = await desktop.newPage();
  await wide.goto(`${base}/`);
  await shot(wide, '30-home-desktop', false);
  await personWithPlan(wide, base);
  await wide.goto(`${base}/today`);
  await audit(wide, 'today desktop');
  await shot(wide, '31-today-desktop');
  await desktop.close();
});

// A phone in a pocket, simulated: 50 Hz motion events of a walk at 110 steps a minute. The
// vertical force peaks once a step while the body brakes against the way of travel and then
// propels along it (a horizontal part a quarter-step out of phase), with a sway once a stride.
// Walking backward turns the travel round, so in the phone's frame the horizontal part changes
// sign while the vertical stays: the mechanics gait reads.
async function simulatePocketPhone(page) {
  await page.addInitScript(() => {
    // The person allows motion access when the browser asks.
    DeviceMotionEvent.requestPermission = async () => 'granted';
    const period = 60 / 110;
    // Started once the page has loaded, so that it runs on the test's fake clock.
    document.addEventListener('DOMContentLoaded', () => setInterval(() => {
      const timer = document.getElementById('timer');
      if (!timer || timer.dataset.state !== 'running') return;
      const p = (2 * Math.PI * (Date.now() / 1000)) / period;
      const along = timer.dataset.direction === 'backward' ? -1 : 1;
      window.dispatchEvent(new DeviceMotionEvent('devicemotion', {
        accelerationIncludingGravity: {
          x: along * 1.5 * Math.sin(p + 1.1),
          y: 0.6 * Math.sin(p / 2),
          z: 9.81 + 2 * Math.sin(p) + 0.8 * Math.sin(2 * p + 0.4),
        },
        rotationRate: { alpha: 0, beta: 0, gamma: 0 },
        interval: 20,
      }));
    }, 20));
  });
}

// A person with a plan starts today's session with motion recording on, on the fake clock,
// saying where the phone is when asked (the default, a pocket, unless told).
async function startRecordedSession(page, base, placement) {
  await personWithPlan(page, base);
  await simulatePocketPhone(page);
  await page.clock.install();
  await page.goto(`${base}/today/run`);
  const plan = JSON.parse(await page.textContent('#session-plan'));
  const total = plan.blocks.reduce((a, b) => a + b.seconds, 0) * 1000;
  await page.check('#record-motion');
  if (placement) await page.selectOption('#motion-placement', placement);
  await page.click('#timer-start');
  return { plan, total };
}

// What the session page may say a block's motion shows: the words, a percentage only with a
// direction read from the motion, and a flag where it differs from the plan.
const DIRECTION_WORDS = /^(forward \(given\)|(forward|backward) \(sure\)( \(\d+% likely\))?|probably (forward|backward)( \(\d+% likely\))?|can't tell from this recording: was it backward\?( \(no more than \d+% either way\))?|no walking found)( differs)?$/;

test('motion recorded during a guided session is analysed per block, said in words, answered by the person and exported with its labels', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  const { plan, total } = await startRecordedSession(page, base);
  await page.clock.runFor(total + 1000);
  await page.waitForSelector('#timer-finish:not([hidden])');
  await page.fill('#pain_before', '1');
  await page.fill('#pain_after', '1');
  await page.selectOption('#rpe', '12'); // effort is never pre-selected
  await Promise.all([page.waitForURL(/\/history\/\d+\?motion=1/), page.click('#finish-save')]);
  const rows = page.locator('#motion tbody tr');
  assert.equal(await rows.count(), plan.blocks.length);
  for (let i = 0; i < plan.blocks.length; i += 1) {
    const b = plan.blocks[i];
    const cells = rows.nth(i).locator('td');
    assert.equal((await cells.nth(2).textContent()).trim(), b.direction, `block ${i + 1} as planned`);
    const says = (await rows.nth(i).locator('.motion-says').textContent()).trim();
    assert.match(says, DIRECTION_WORDS, `block ${i + 1}: ${says}`);
    // After the warm-up, the motion reads each block the way it was walked.
    if (i > 0) assert.match(says, new RegExp(`^(probably )?${b.direction}( \\(sure\\))?( \\(\\d+% likely\\))?$`), `block ${i + 1}: ${says}`);
    const steps = Number((await cells.nth(3).textContent()).trim());
    const expected = (b.seconds * 110) / 60;
    assert.ok(Math.abs(steps - expected) <= expected * 0.1 + 3, `block ${i + 1}: ${steps} steps, about ${expected} expected`);
  }
  // The forward warm-up was recorded and is the stretch the rest is read against.
  assert.equal(plan.blocks[0].direction, 'forward');
  assert.equal((await rows.nth(0).locator('.motion-says').textContent()).trim(), 'forward (given)');
  assert.match(await page.textContent('#motion'), /The phone was in a trouser pocket\./);
  assert.match(await page.textContent('#motion-note'), /against the stretch walked forward/);
  assert.equal(await page.locator('#motion-note').count(), 1);
  assert.doesNotMatch(await page.textContent('#motion'), /you said/);
  // The person says how they walked the first backward block: their answer is kept and shown.
  const answered = plan.blocks.findIndex((b) => b.direction === 'backward');
  await Promise.all([
    page.waitForURL(/\/history\/\d+#motion$/),
    rows.nth(answered).getByRole('button', { name: /I walked it backward/ }).click(),
  ]);
  assert.equal((await rows.nth(answered).locator('.said').textContent()).trim(), 'you said: backward');
  assert.equal(await page.locator('#motion .said').count(), 1, 'only that block is answered');
  await audit(page, 'session with motion');
  await shot(page, '24-session-motion');
  const csv = await page.request.get(base + await page.getAttribute('#motion a[download]', 'href'));
  assert.equal(csv.status(), 200);
  const lines = (await csv.text()).trim().split('\n');
  assert.equal(lines[0], 'time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z,block,direction,label_source');
  assert.ok(lines.length > (total / 1000) * 40, `${lines.length} samples`);
  // The answered block's samples carry the person's label, the others the timer's.
  const sources = new Set(lines.slice(1).map((l) => l.split(',').slice(7).join(',')));
  assert.ok(sources.has(`${answered + 1},backward,person`), [...sources].join(' '));
  assert.ok(!sources.has(`${answered + 1},backward,timer`));
  assert.ok(sources.has('1,forward,timer'));
  noProblems(page);
  await context.close();
});

test('motion recorded offline waits on the device with its log and is stored once both can be sent', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  const { plan, total } = await startRecordedSession(page, base);
  await context.setOffline(true);
  await page.clock.runFor(total + 1000);
  await page.waitForSelector('#timer-finish:not([hidden])');
  await page.fill('#pain_before', '1');
  await page.fill('#pain_after', '1');
  await page.selectOption('#rpe', '12'); // effort is never pre-selected
  await page.click('#finish-save');
  await page.waitForFunction(() => /saved on this device/i.test(document.getElementById('finish-error').textContent));
  const waiting = await page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('retrostride');
    open.onsuccess = () => {
      const get = open.result.transaction('motion').objectStore('motion').getAll();
      get.onsuccess = () => resolve(get.result.map((r) => [r.samples.length, r.placement]));
    };
  }));
  assert.equal(waiting.length, 1, 'one recording kept on the device');
  assert.ok(waiting[0][0] > (total / 1000) * 40, `${waiting[0][0]} samples kept`);
  assert.equal(waiting[0][1], 'pocket', 'kept with where the phone was');
  // The tab is closed while offline; later another page of the app is opened online.
  await page.close();
  await context.setOffline(false);
  const later = watchProblems(await context.newPage());
  await later.goto(`${base}/progress`);
  await later.waitForFunction(() => localStorage.getItem('retrostride.outbox') === '[]');
  const listed = await api(later, 'GET', '/api/v1/sessions');
  assert.equal(listed.body.items.length, 1, 'logged exactly once');
  const id = listed.body.items[0].id;
  let motion;
  for (let i = 0; i < 40; i += 1) {
    motion = await api(later, 'GET', `/api/v1/sessions/${id}/motion`);
    if (motion.status === 200) break;
    await later.waitForTimeout(250);
  }
  assert.equal(motion.status, 200, 'the recording reached the server');
  assert.equal(motion.body.blocks.length, plan.blocks.length);
  assert.equal(motion.body.placement, 'pocket');
  await later.waitForFunction(() => new Promise((resolve) => {
    const open = indexedDB.open('retrostride');
    open.onsuccess = () => {
      const count = open.result.transaction('motion').objectStore('motion').count();
      count.onsuccess = () => resolve(count.result === 0);
    };
  }));
  noProblems(later);
  await context.close();
});

test('a reload in the middle of a recorded session keeps what was recorded and records on', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  const { plan, total } = await startRecordedSession(page, base, 'lower-back');
  const first = plan.blocks[0].seconds * 1000;
  await page.clock.runFor(first + 20000); // into the second block
  await page.reload();
  // This phone asks for motion access (as iOS does), so recording resumes at the first tap.
  assert.match(await page.textContent('#timer-status'), /motion recording back on/);
  await page.click('#timer-label');
  await page.clock.runFor(total - first - 20000 + 1000);
  await page.waitForSelector('#timer-finish:not([hidden])');
  await page.fill('#pain_before', '1');
  await page.fill('#pain_after', '1');
  await page.selectOption('#rpe', '12'); // effort is never pre-selected
  await Promise.all([page.waitForURL(/\/history\/\d+\?motion=1/), page.click('#finish-save')]);
  const id = page.url().match(/\/history\/(\d+)/)[1];
  const motion = await api(page, 'GET', `/api/v1/sessions/${id}/motion`);
  assert.equal(motion.status, 200);
  // At 50 Hz the whole session, less a little around the reload.
  const expected = (total / 1000) * 50;
  assert.ok(motion.body.sample_count > expected * 0.9, `${motion.body.sample_count} samples, about ${expected} expected`);
  // The first block, recorded before the reload, is in the analysis with its steps.
  const steps = motion.body.blocks[0].steps;
  assert.ok(steps > (plan.blocks[0].seconds * 110) / 60 * 0.8, `first block: ${steps} steps`);
  // Where the phone was, said before the reload, went with the recording and is remembered.
  assert.equal(motion.body.placement, 'lower-back');
  await page.goto(`${base}/today/run`);
  assert.equal(await page.inputValue('#motion-placement'), 'lower-back');
  noProblems(page);
  await context.close();
});
