// Progression gates, alerts and pauses (issue 15): the clinician sets "pause and alert on any
// near-fall" and assigns a plan, the walker logs a session with a near-fall, the clinician sees the alert and the
// paused plan, acknowledges and resumes; the walker sees the rule named on /today and every
// access in the log; after a revocation the clinician's next request is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, phonePage, audit, shot, noProblems, api, cli, personWithPlan,
} from './support.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const phone = { viewport: { width: 360, height: 800 } };

async function signIn(page, base, email, password) {
  await page.goto(`${base}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/signin')), page.click('button[type=submit]')]);
}

async function fitsThePhone(page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the page is ${wide} px wide on a 360 px screen`);
}

test('a clinician pauses on a near-fall, sees the alert, acknowledges and resumes; the walker reads why', async () => {
  const { base } = server;
  const clinicianEmail = `gates${Date.now()}@example.org`;
  const password = 'a clinician password 42';
  await cli(server, ['user', 'add', clinicianEmail, '--role', 'clinician', '--password-stdin'], `${password}\n`);

  const { context: walkerContext, page: walker } = await phonePage(browser, phone);
  await personWithPlan(walker, base);
  const { context: clinicianContext, page: clinician } = await phonePage(browser, phone);
  await signIn(clinician, base, clinicianEmail, password);

  // Invite and accept.
  await clinician.goto(`${base}/walkers`);
  await clinician.click('text=Make an invite');
  const link = (await clinician.textContent('#invite-link')).trim();
  await walker.goto(link);
  await Promise.all([walker.waitForURL(/\/settings\?shared=1/), walker.click('text=Accept and share')]);

  // The clinician sets "pause and alert on any near-fall", with a reason; a bad value comes back.
  await clinician.goto(`${base}/walkers`);
  await Promise.all([clinician.waitForURL(/\/walkers\/\d+$/), clinician.click('#walkers a')]);
  const walkerPage = clinician.url();
  const walkerId = walkerPage.split('/').pop();
  await clinician.fill('#pain_rise_steps_down', '1');
  await clinician.fill('#pain_rise_holds', '3');
  await clinician.fill('#gates-reason', 'balance is poor');
  await clinician.click('#save-gates');
  assert.match(await clinician.textContent('#gates-error'), /pain_rise_steps_down/);
  await clinician.fill('#pain_rise_holds', '1');
  await clinician.fill('#pain_rise_steps_down', '2');
  await clinician.selectOption('#near_fall', 'pause_and_alert');
  await clinician.fill('#gates-reason', 'balance is poor');
  await Promise.all([clinician.waitForURL(/#gates$/), clinician.click('#save-gates')]);
  assert.match(await clinician.textContent('#gates'), new RegExp(`set by ${clinicianEmail}`));
  assert.match(await clinician.textContent('#gates'), /Any near-fall: pause progression and alert the clinician/);

  // The clinician assigns a plan from the catalogue with a reason: the walker's plan from today.
  const today = new Date().toISOString().slice(0, 10);
  await clinician.fill('#assign-start', today);
  await clinician.fill('#assign-reason', 'Balance first: short blocks by the wall');
  await Promise.all([clinician.waitForURL(/\/walkers\/\d+#prescribe$/), clinician.click('text=Prescribe this plan')]);
  await walker.goto(`${base}/plan`);
  assert.match(await walker.textContent('main'), new RegExp(`Plan set by ${clinicianEmail}`));
  assert.match(await walker.textContent('main'), /Balance first: short blocks by the wall/);

  // The walker logs a session with a near-fall through the form.
  await walker.goto(`${base}/log`);
  await walker.selectOption('#rpe', '11'); // effort is never pre-selected
  await walker.fill('#backward_minutes', '5');
  await walker.fill('#pain_before', '2');
  await walker.fill('#pain_after', '2');
  await walker.fill('#near_falls', '1');
  assert.equal(await walker.inputValue('#falls'), '0');
  await Promise.all([walker.waitForURL((u) => !u.pathname.startsWith('/log')), walker.click('text=Log session')]);

  // The clinician sees the alert on the caseload page and the paused plan, acknowledges and
  // resumes.
  await clinician.goto(`${base}/walkers`);
  assert.match(await clinician.textContent('#caseload-alerts'), /near fall/);
  await clinician.goto(walkerPage);
  assert.match(await clinician.textContent('#walker-alerts'), /near fall/);
  assert.match(await clinician.textContent('#paused-banner'), /paused after a near-fall/);
  await audit(clinician, 'walker with gates and alerts');
  await fitsThePhone(clinician);
  await shot(clinician, 'gates-01-clinician-alert-360');
  await clinician.fill('#walker-alerts input[name=note]', 'called: no injury');
  await Promise.all([clinician.waitForURL(/#alerts$/), clinician.click('#walker-alerts >> text=Acknowledge')]);
  assert.match(await clinician.textContent('#alerts-state'), /No open alerts/);

  // Before the resumption, the walker reads the pause and who will lift it.
  await walker.goto(`${base}/today`);
  assert.match(await walker.textContent('#paused-banner'), new RegExp(`paused after your near-fall on .*your clinician ${clinicianEmail} will resume it`));
  assert.match(await walker.textContent('#rules-by'), new RegExp(`Rules set by ${clinicianEmail} on \\d{4}-\\d\\d-\\d\\d: balance is poor`));
  assert.match(await walker.textContent('#decision-reasons'), /Rule: near_fall, set by/);
  assert.match(await walker.textContent('#decision-reasons'), /Rule: pause, set by/);
  await audit(walker, 'today, paused');
  await fitsThePhone(walker);
  await shot(walker, 'gates-02-walker-paused-360');

  await clinician.fill('#resume-note', 'seen in clinic, fine');
  await Promise.all([clinician.waitForURL(/#gates$/), clinician.click('#resume')]);
  assert.equal(await clinician.locator('#paused-banner').count(), 0);
  noProblems(clinician);

  await walker.goto(`${base}/today`);
  assert.equal(await walker.locator('#paused-banner').count(), 0);
  assert.match(await walker.textContent('#decision-reasons'), /Rule: near_fall, set by/);
  await walker.goto(`${base}/plan`);
  assert.match(await walker.textContent('#rules-by'), /balance is poor/);

  // Every access is in the walker's log.
  await walker.goto(`${base}/settings#sharing`);
  const log = await walker.textContent('#access-log');
  for (const what of ['changed progression gates', 'read alerts', 'progression resumed', 'acknowledged']) {
    assert.ok(log.includes(what), `${what} in the access log`);
  }
  noProblems(walker);

  // Revoke: the clinician's next request is 404.
  await Promise.all([walker.waitForURL(/\/settings\?unshared=1/), walker.click('#grants >> text=Revoke')]);
  assert.equal((await api(clinician, 'GET', `/api/v1/clinician/walkers/${walkerId}/gates`)).status, 404);
  assert.equal((await clinician.goto(walkerPage)).status(), 404);

  await walkerContext.close();
  await clinicianContext.close();
});
