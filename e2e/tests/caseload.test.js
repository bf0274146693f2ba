// The clinician's caseload (issue 15): two walkers share, one reports a near-fall and is listed
// first with its flag; the clinician opens that walker's outcome trends and the plan handout,
// whose print layout is the sheet alone (no navigation, no buttons).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phonePage, audit, shot, noProblems, api, cli, signUp, clearAnswers } from './support.js';

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

// A walker with a plan who logged one session now (with `near_falls`) and shares with the
// clinician; their email.
async function sharingWalker(clinician, nearFalls) {
  const { context, page } = await phonePage(browser, phone);
  const email = await signUp(page, server.base);
  assert.equal((await api(page, 'POST', '/api/v1/screenings', clearAnswers)).status, 201);
  const today = await page.evaluate(() => new Date().toISOString().slice(0, 10));
  const plan = await api(page, 'POST', '/api/v1/plans', { goal: 'knee', setting: 'ground', level: 'new', days_per_week: 3, weeks: 6, start: today });
  assert.equal(plan.status, 201, JSON.stringify(plan.body));
  const logged = await api(page, 'POST', '/api/v1/sessions', {
    started_at: new Date(Date.now() - 60_000).toISOString(), setting: 'ground',
    blocks: [{ direction: 'backward', seconds: 300 }], rpe: 13, pain_before: 2, pain_after: 3,
    near_falls: nearFalls, felt_safe: nearFalls === 0,
  });
  assert.equal(logged.status, 201, JSON.stringify(logged.body));
  const invite = await api(clinician, 'POST', '/api/v1/clinician/invites');
  assert.equal(invite.status, 201);
  assert.equal((await api(page, 'POST', '/api/v1/grants', { code: invite.body.code })).status, 201);
  // The walker's own trends and handout.
  assert.equal((await page.goto(`${server.base}/progress/trends`)).status(), 200);
  assert.equal((await page.goto(`${server.base}/plan/handout`)).status(), 200);
  noProblems(page);
  await context.close();
  return email;
}

test('the caseload lists the walker with a near-fall first, with trends and a printable handout', async () => {
  const { base } = server;
  const clinicianEmail = `caseload${Date.now()}@example.org`;
  const password = 'a clinician password 42';
  await cli(server, ['user', 'add', clinicianEmail, '--role', 'clinician', '--password-stdin'], `${password}\n`);
  const { page: clinician } = await phonePage(browser, phone);
  await signIn(clinician, base, clinicianEmail, password);

  const steady = await sharingWalker(clinician, 0);
  const wobbly = await sharingWalker(clinician, 1);
  assert.ok(steady && wobbly && steady !== wobbly);

  await clinician.goto(`${base}/walkers`);
  const rows = clinician.locator('#walkers tbody tr');
  assert.equal(await rows.count(), 2);
  const first = await rows.nth(0).textContent();
  assert.match(first, new RegExp(wobbly));
  assert.match(first, /near-fall or fall in the last 14 days/);
  assert.match(await rows.nth(1).textContent(), new RegExp(steady));
  assert.doesNotMatch(await rows.nth(1).textContent(), /near-fall or fall in the last 14 days/);
  await audit(clinician, 'caseload');
  await fitsThePhone(clinician);
  await shot(clinician, 'caseload-01-caseload-360');
  noProblems(clinician);

  // Trends of the walker who needs attention.
  await Promise.all([clinician.waitForURL(/\/walkers\/\d+\/trends$/), rows.nth(0).locator('text=Trends').click()]);
  assert.match(await clinician.textContent('h1'), new RegExp(`Outcome trends: ${wobbly}`));
  assert.match(await clinician.textContent('#three-mbwt'), /No 3-metre backward walk test yet/);
  assert.match(await clinician.textContent('#pain tbody'), /2\s*3/);
  await audit(clinician, 'trends');
  await fitsThePhone(clinician);
  await shot(clinician, 'caseload-02-trends-360');
  noProblems(clinician);

  // The handout: on screen with its Print button, printed without navigation or buttons.
  const handoutUrl = clinician.url().replace(/\/trends$/, '/handout');
  assert.equal((await clinician.goto(handoutUrl)).status(), 200);
  assert.ok(await clinician.locator('[data-print]').isVisible(), 'the Print button shows where scripts run');
  assert.match(await clinician.textContent('#clinician-note'), /The clinician's note/);
  assert.match(await clinician.textContent('main'), /Week 1/);
  await audit(clinician, 'handout');
  await fitsThePhone(clinician);
  await shot(clinician, 'caseload-03-handout-360');
  await clinician.emulateMedia({ media: 'print' });
  assert.equal(await clinician.locator('header.site nav').isVisible(), false, 'no navigation in print');
  assert.equal(await clinician.locator('footer.site').isVisible(), false);
  assert.equal(await clinician.locator('[data-print]').isVisible(), false, 'no Print button on paper');
  assert.ok(await clinician.locator('#clinician-note').isVisible());
  const colours = await clinician.evaluate(() => {
    const s = getComputedStyle(document.querySelector('.handout-week'));
    return [s.color, getComputedStyle(document.body).backgroundColor];
  });
  assert.deepEqual(colours, ['rgb(0, 0, 0)', 'rgb(255, 255, 255)'], 'black on white');
  await shot(clinician, 'caseload-04-handout-print');
  await clinician.emulateMedia({ media: 'screen' });
  noProblems(clinician);

  // Without a grant the handout is not found.
  assert.equal((await clinician.goto(`${base}/walkers/999999/handout`)).status(), 404);
});
