// The whole journey of a new walker, in headless Chromium: sign up, screen, get a plan, run a
// session on an accelerated clock (every cue at its block boundary), log it, see it on the
// progress page; every page audited with axe-core and photographed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, phonePage, audit, shot, measure, saveFigures, noProblems, cueRecorder,
} from './support.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); saveFigures('journey-figures.json'); });

test('sign up, screen, plan, run a timed session, log it and see it in progress', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await page.addInitScript(cueRecorder);

  // Home: the evidence, each claim with its strength and sources.
  await page.goto(`${base}/`);
  await measure(page, 'home');
  assert.match(await page.textContent('h1'), /Walk backward, safely/);
  assert.ok(await page.locator('.claim').count() >= 8, 'every benefit claim is listed');
  assert.match(await page.textContent('#evidence'), /unsupported|contested/i, 'weak claims are labelled as such');
  await audit(page, 'home');
  await shot(page, '01-home');

  // Sign-up refuses bad input beside the field, then accepts good input.
  await page.goto(`${base}/signup`);
  await measure(page, 'signup');
  await page.fill('#email', 'not-an-email');
  await page.fill('#password', 'short');
  await page.click('button[type=submit]');
  assert.ok(await page.isVisible('#email-error'));
  assert.match(await page.textContent('#password-error'), /at least 10/);
  assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');
  await audit(page, 'signup with errors');
  await shot(page, '02-signup-errors');
  const email = `walker${Date.now()}@example.org`;
  await page.fill('#email', email);
  await page.fill('#password', 'a long enough password');
  await Promise.all([page.waitForURL(/\/start\/screening/), page.click('button[type=submit]')]);

  // Screening: one question per step, progress shown, an answer required.
  await measure(page, 'screening step');
  await page.click('button[name=next]');
  assert.match(await page.textContent('#age-error'), /age/i);
  await page.fill('#age', '52');
  await page.click('button[name=next]');
  assert.match(await page.textContent('.progress-text'), /Question 2 of 19/);
  await audit(page, 'screening step');
  await shot(page, '03-screening-step');
  await page.click('button[name=next]');
  assert.match(await page.textContent('#answer-error'), /yes or no/);
  // Back keeps the answers.
  await page.click('label.choice:has-text("No")');
  await page.click('button[name=back]');
  assert.equal(await page.inputValue('#age'), '52');
  await page.click('button[name=next]');
  for (let step = 2; step <= 19; step += 1) {
    const question = await page.textContent('legend');
    const yes = /active on purpose/.test(question);
    await page.click(`label.choice:has-text("${yes ? 'Yes' : 'No'}")`);
    await page.click('button[name=next]');
  }
  await page.waitForURL(/\/start\/clearance/);
  await measure(page, 'clearance');
  assert.match(await page.textContent('h1'), /You can start/);
  await audit(page, 'clearance');
  await shot(page, '04-clearance');

  // The plan: form, preview with its protocol and study, start.
  await page.click('text=Make my plan');
  await measure(page, 'plan form');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('#goal-error'), /Choose/);
  await audit(page, 'plan form with errors');
  await page.check('input[name=goal][value=knee]');
  await page.check('input[name=setting][value=ground]');
  await page.check('input[name=level][value=new]');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.protocol'), /Alghadir/);
  await measure(page, 'plan preview');
  await audit(page, 'plan preview');
  await shot(page, '05-plan-preview');
  await Promise.all([page.waitForURL(/\/today$/), page.click('text=Start this plan')]);

  // Today: the next session, its blocks, the decision and its reason.
  await measure(page, 'today');
  assert.match(await page.textContent('.decision'), /^Start/);
  assert.ok(await page.locator('.block-backward').count() >= 1);
  await audit(page, 'today');
  await shot(page, '06-today');

  // Body mass, so that energy is estimated.
  await page.goto(`${base}/settings`);
  await measure(page, 'settings');
  await page.fill('#body_mass', 'seventy');
  await page.click('form[action="/settings/body-mass"] button[type=submit]');
  assert.match(await page.textContent('#body_mass-error'), /seventy/);
  await page.fill('#body_mass', '70');
  await page.click('form[action="/settings/body-mass"] button[type=submit]');
  assert.match(await page.textContent('.notice'), /saved/);
  await audit(page, 'settings');
  await shot(page, '07-settings');

  // The timer, on a fake clock: every block boundary gets a beep, a spoken cue and a vibration.
  await page.clock.install();
  await page.goto(`${base}/today/run`);
  await audit(page, 'timer ready');
  await shot(page, '08-timer-ready', false);
  const plan = JSON.parse(await page.textContent('#session-plan'));
  const ends = [];
  plan.blocks.reduce((acc, b) => { ends.push(acc + b.seconds * 1000); return acc + b.seconds * 1000; }, 0);
  await page.click('#timer-start');
  const started = await page.evaluate((key) => JSON.parse(localStorage.getItem(`retrostride.timer.${key}`)).startedAt, plan.key);
  await page.clock.runFor(ends[0] / 2);
  assert.equal(await page.getAttribute('#timer', 'data-direction'), plan.blocks[0].direction);
  await shot(page, '09-timer-running', false);
  const firstBackward = plan.blocks.findIndex((b) => b.direction === 'backward');
  await page.clock.runFor(ends[firstBackward - 1] - ends[0] / 2 + 2000);
  assert.equal(await page.getAttribute('#timer', 'data-direction'), 'backward');
  assert.match(await page.textContent('#timer-direction-word'), /BACKWARD/);
  await shot(page, '10-timer-backward', false);
  await page.clock.runFor(ends[ends.length - 1] - ends[firstBackward - 1]);
  await page.waitForSelector('#timer-finish:not([hidden])');

  const cues = await page.evaluate(() => window.__cues);
  const within = (at, boundary) => at >= started + boundary && at <= started + boundary + 300;
  const boundaries = [0, ...ends];
  for (const [i, boundary] of boundaries.entries()) {
    const turned = i > 0 && i < plan.blocks.length && plan.blocks[i - 1].direction !== plan.blocks[i].direction;
    const beeps = cues.filter((c) => c.kind === 'beep' && within(c.at, boundary)).length;
    const vibrations = cues.filter((c) => c.kind === 'vibrate' && within(c.at, boundary)).length;
    const speech = cues.filter((c) => c.kind === 'speech' && within(c.at, boundary) && !/In ten seconds/.test(c.text));
    const expectedBeeps = i === plan.blocks.length ? 3 : turned ? 2 : 1;
    assert.equal(beeps, expectedBeeps, `beeps at boundary ${i} (${boundary} ms)`);
    assert.equal(vibrations, 1, `vibration at boundary ${i}`);
    assert.equal(speech.length, 1, `spoken cue at boundary ${i}`);
    if (i < plan.blocks.length) assert.match(speech[0].text, new RegExp(`walk ${plan.blocks[i].direction}`));
  }
  const beepsInAll = cues.filter((c) => c.kind === 'beep').length;
  const expectedInAll = boundaries.reduce((n, _, i) => n + (i === plan.blocks.length ? 3 : i > 0 && plan.blocks[i - 1].direction !== plan.blocks[i].direction ? 2 : 1), 0);
  assert.equal(beepsInAll, expectedInAll, 'no cue fires anywhere but at a boundary');
  const headsUps = cues.filter((c) => c.kind === 'speech' && /In ten seconds/.test(c.text));
  assert.ok(headsUps.length >= 1, 'a heads-up comes before each turn');

  // The end form logs the session.
  await audit(page, 'timer finished');
  await shot(page, '11-timer-finish');
  await page.fill('#pain_before', '11');
  await page.click('#finish-save');
  assert.match(await page.textContent('#pain_before-error'), /0 to 10/);
  // Effort is never chosen for the walker: unanswered, the form asks for it.
  assert.match(await page.textContent('#rpe-error'), /6 to 20/);
  await page.fill('#pain_before', '3');
  await page.fill('#pain_after', '2');
  await page.selectOption('#rpe', '13');
  await Promise.all([page.waitForURL(/\/history\?logged=1/), page.click('#finish-save')]);
  await measure(page, 'history');
  const row = page.locator('table.history tbody tr').first();
  assert.match(await row.textContent(), /timer/);
  assert.match(await row.textContent(), /3 → 2/);
  assert.doesNotMatch(await row.locator('td').nth(4).textContent(), /—/, 'energy was estimated');
  await audit(page, 'history');
  await shot(page, '12-history');

  // Progress shows it against the plan.
  await page.goto(`${base}/progress`);
  await measure(page, 'progress');
  assert.match(await page.textContent('.lead'), /1 of 1 sessions/);
  assert.ok(await page.locator('svg.chart rect.bar').count() >= 6);
  await audit(page, 'progress');
  await shot(page, '13-progress');

  // Today has moved on to session 2.
  await page.goto(`${base}/today`);
  assert.match(await page.textContent('.eyebrow'), /Session 2/);
  noProblems(page);
  await context.close();
});

test('log by hand, edit and delete in the history; the 3MBWT with its cut-off', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  const { personWithPlan } = await import('./support.js');
  await personWithPlan(page, base);

  await page.goto(`${base}/log`);

  await page.selectOption('#rpe', '11'); // effort is never pre-selected
  await measure(page, 'log form');
  await page.fill('#backward_minutes', '');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('#backward_minutes-error'), /minutes/);
  await audit(page, 'log form with errors');
  await page.fill('#backward_minutes', '8');
  await page.fill('#forward_minutes', '10');
  await Promise.all([page.waitForURL(/\/history/), page.click('button[type=submit]')]);
  await measure(page, 'history');
  assert.match(await page.textContent('table.history tbody'), /8 min/);

  await page.click('table.history tbody tr >> text=Edit');
  await measure(page, 'edit form');
  await audit(page, 'edit form');
  await page.fill('#backward_minutes', '9');
  await Promise.all([page.waitForURL(/saved=1/), page.click('button[type=submit]')]);
  assert.match(await page.textContent('table.history tbody'), /9 min/);

  // htmx removes the row in place after the confirmation.
  page.once('dialog', (d) => d.accept());
  await page.click('table.history tbody tr >> button:has-text("Delete")');
  await page.waitForSelector('table.history tbody tr', { state: 'detached' });
  await page.reload();
  assert.match(await page.textContent('main'), /No sessions yet/);

  await page.goto(`${base}/assess/3mbwt`);
  await measure(page, '3mbwt');
  await audit(page, '3mbwt');
  await page.click('[data-stopwatch-start]');
  await page.waitForTimeout(300);
  await page.click('[data-stopwatch-stop]');
  assert.match(await page.inputValue('#seconds'), /^0\.[2-9]\d$/);
  await page.fill('#seconds', '6.2');
  await page.click('form[action="/assess/3mbwt"] button[type=submit]');
  await page.waitForSelector('#result');
  assert.match(await page.textContent('#result'), /6\.2 s/);
  assert.match(await page.textContent('#result'), /Higher fall risk|cut-off/);
  await audit(page, '3mbwt result');
  await shot(page, '14-3mbwt-result');
  await page.goto(`${base}/progress`);
  await measure(page, 'progress');
  assert.ok(await page.locator('svg.chart .reference').count() === 1, 'the cut-off line is drawn');
  await shot(page, '15-progress-assessment');
  noProblems(page);
  await context.close();
});

test('settings: units, API tokens shown once and revoked, export, account deletion behind the password', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  const { personWithPlan } = await import('./support.js');
  await personWithPlan(page, base);
  await page.goto(`${base}/settings`);
  await page.check('input[name=units][value=imperial]');
  await page.click('form[action="/settings"] button[type=submit]');
  await page.fill('#body_mass', '154');
  await page.click('form[action="/settings/body-mass"] button[type=submit]');
  assert.match(await page.textContent('#body-mass table'), /154 lb/);
  const profile = await (await import('./support.js')).api(page, 'GET', '/api/v1/profile');
  assert.ok(Math.abs(profile.body.body_mass_kg - 69.85) < 0.05, 'pounds are stored as kilograms');

  await page.fill('#token_name', 'my script');
  await page.fill('#token_password', 'not my password');
  await page.click('form[action="/settings/tokens"] button[type=submit]');
  assert.match(await page.textContent('#token_password-error'), /wrong/);
  await page.fill('#token_name', 'my script');
  await page.fill('#token_password', 'a long enough password');
  await page.click('form[action="/settings/tokens"] button[type=submit]');
  const token = await page.textContent('#new-token');
  assert.match(token, /^rs_[0-9a-f]{64}$/);
  const withToken = await page.request.get(`${base}/api/v1/profile`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(withToken.status(), 200);
  await audit(page, 'settings with a new token');
  await page.click('.tokens button:has-text("Revoke")');
  assert.match(await page.textContent('.notice'), /revoked/);
  const revoked = await page.request.get(`${base}/api/v1/profile`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(revoked.status(), 401);

  const download = await page.request.get(`${base}/settings/export`);
  assert.equal(download.status(), 200);
  assert.match(download.headers()['content-disposition'], /attachment; filename="retrostride-export-/);
  assert.equal((await download.json()).format, 'retrostride-export');

  await page.fill('#delete_password', 'wrong one');
  await page.click('form[action="/settings/delete"] button[type=submit]');
  assert.match(await page.textContent('#delete_password-error'), /nothing was deleted/);
  await page.fill('#delete_password', 'a long enough password');
  await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/settings/delete"] button[type=submit]')]);
  assert.ok(await page.isVisible('text=Create account'), 'signed out');
  await page.goto(`${base}/today`);
  assert.match(page.url(), /\/signin/);
  noProblems(page);
  await context.close();
});

test('import device files: review, mark backward laps, and a second import logs nothing twice', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  const support = await import('./support.js');
  await support.personWithPlan(page, base);
  const data = `${support.root}/testdata/tracks`;
  await page.goto(`${base}/history`);
  await page.click('text=Import a file');
  await support.audit(page, 'upload form');
  await page.setInputFiles('#files', [`${data}/tcx/20181021_run_3106033902.tcx`, `${data}/broken/garmin-fenix-5-walk.truncated.fit`]);
  await page.click('button:has-text("Read the files")');
  assert.match(await page.textContent('.error-summary'), /truncated\.fit.*cut off/s, 'the damaged file is named with its reason');
  assert.equal(await page.locator('fieldset.import').count(), 1);
  assert.equal(await page.locator('fieldset.import tbody tr').count(), 3, 'three laps to review');
  await support.audit(page, 'upload review');
  await support.shot(page, '16-import-review');
  // The second lap was walked backward.
  await page.check('input[name="a0_l1_backward"]');
  await Promise.all([page.waitForURL(/imported=1/), page.click('button:has-text("Import 1 session")')]);
  assert.match(await page.textContent('.notice'), /Imported 1 session/);
  const first = await support.api(page, 'GET', '/api/v1/sessions');
  assert.equal(first.body.items.length, 1);
  const session = first.body.items[0];
  assert.equal(session.source, 'file');
  assert.equal(session.blocks.length, 3);
  assert.equal(session.blocks[1].direction, 'backward');
  assert.equal(session.started_at, '2018-10-21T13:50:14Z', "the file's own start (expected.json)");
  // The same file again: recognised, not logged twice.
  await page.goto(`${base}/history/upload`);
  await page.setInputFiles('#files', `${data}/tcx/20181021_run_3106033902.tcx`);
  await page.click('button:has-text("Read the files")');
  await Promise.all([page.waitForURL(/already=1/), page.click('button:has-text("Import 1 session")')]);
  assert.match(await page.textContent('.notice'), /imported before/);
  const again = await support.api(page, 'GET', '/api/v1/sessions');
  assert.equal(again.body.items.length, 1);
  support.noProblems(page);
  await context.close();
});
