// Prescribing (issue 15): a clinician makes a template, invites a walker who accepts, assigns a
// plan from the template with a reason and a note; the walker sees the plan, who set it and why,
// and the note; the clinician moves the plan to other weekdays and the walker sees the change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, phonePage, audit, shot, noProblems, signUp, api, clearAnswers, cli,
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

test('a clinician prescribes from a template with a reason and a note, then adjusts the weekdays', async () => {
  const { base } = server;
  const clinicianEmail = `prescriber${Date.now()}@example.org`;
  const password = 'a clinician password 42';
  await cli(server, ['user', 'add', clinicianEmail, '--role', 'clinician', '--password-stdin'], `${password}\n`);
  const { context: clinicianContext, page: clinician } = await phonePage(browser, phone);
  await signIn(clinician, base, clinicianEmail, password);

  // A template: a refused one first (past the protocol's dose), then a good one.
  await clinician.goto(`${base}/templates`);
  assert.match(await clinician.textContent('#templates-state'), /No templates yet/);
  await clinician.fill('#new-name', 'Knee, three days');
  await clinician.selectOption('#new-protocol', 'knee-oa-10min');
  await clinician.selectOption('#new-goal', 'knee');
  await clinician.fill('#new-start_minutes', '4');
  await clinician.fill('#new-end_minutes', '30');
  await Promise.all([clinician.waitForLoadState('load'), clinician.click('text=Save the template')]);
  assert.match(await clinician.textContent('#template-errors'), /end minutes: .*dose of 10 minutes/);
  await clinician.fill('#new-end_minutes', '');
  await Promise.all([clinician.waitForURL(/\/templates$/), clinician.click('text=Save the template')]);
  assert.match(await clinician.textContent('details.template summary'), /Knee, three days/);
  await audit(clinician, 'templates');
  await fitsThePhone(clinician);
  await shot(clinician, 'prescribe-01-templates-360');
  noProblems(clinician);

  // The walker accepts an invite.
  const { context: walkerContext, page: walker } = await phonePage(browser, phone);
  const walkerEmail = await signUp(walker, base);
  assert.equal((await api(walker, 'POST', '/api/v1/screenings', clearAnswers)).status, 201);
  await clinician.goto(`${base}/walkers`);
  await clinician.click('text=Make an invite');
  const link = (await clinician.textContent('#invite-link')).trim();
  await walker.goto(link);
  await Promise.all([walker.waitForURL(/\/settings\?shared=1/), walker.click('text=Accept and share')]);

  // The clinician assigns the template's plan with a reason and a note.
  await clinician.goto(`${base}/walkers`);
  await Promise.all([clinician.waitForURL(/\/walkers\/\d+$/), clinician.click(`#walkers >> text=${walkerEmail}`)]);
  const walkerPage = clinician.url();
  const today = await clinician.evaluate(() => new Date().toLocaleDateString('en-CA'));
  await clinician.selectOption('#assign-template_id', { label: 'your template "Knee, three days"' });
  await clinician.fill('#assign-start', today);
  // Without a reason: refused, in words.
  await Promise.all([clinician.waitForLoadState('load'), clinician.click('text=Prescribe this plan')]);
  assert.match(await clinician.textContent('#assign-errors'), /reason is required/);
  await clinician.selectOption('#assign-template_id', { label: 'your template "Knee, three days"' });
  await clinician.fill('#assign-start', today);
  await clinician.fill('#assign-reason', 'Knee pain on stairs: start gently');
  await clinician.fill('#assign-note', 'Keep a hand on the rail for the first week.');
  await Promise.all([clinician.waitForURL(/\/walkers\/\d+#prescribe$/), clinician.click('text=Prescribe this plan')]);
  assert.match(await clinician.textContent('#plan-changes'), /Knee pain on stairs: start gently/);
  assert.match(await clinician.textContent('#walker-notes'), /Keep a hand on the rail/);
  await audit(clinician, 'walker with prescribe');
  await fitsThePhone(clinician);
  await shot(clinician, 'prescribe-02-walker-page-360');
  noProblems(clinician);

  // The walker sees the plan, who set it and why, and the note.
  await walker.goto(`${base}/plan`);
  assert.match(await walker.textContent('#set-by'), new RegExp(`Plan set by ${clinicianEmail} on \\d{4}-\\d\\d-\\d\\d: Knee pain on stairs: start gently`));
  assert.match(await walker.textContent('#plan-notes'), /Keep a hand on the rail for the first week/);
  await walker.goto(`${base}/today`);
  assert.match(await walker.textContent('#set-by'), /Knee pain on stairs/);
  await audit(walker, 'today with a prescribed plan');
  await fitsThePhone(walker);
  await shot(walker, 'prescribe-03-today-360');
  noProblems(walker);

  // The clinician moves the plan to Tuesdays and Thursdays.
  await clinician.goto(walkerPage);
  for (const d of ['mon', 'wed', 'fri']) await clinician.setChecked(`#adjust input[name=day_${d}]`, false);
  for (const d of ['tue', 'thu']) await clinician.setChecked(`#adjust input[name=day_${d}]`, true);
  await clinician.fill('#adjust-reason', 'Mondays clash with work');
  await Promise.all([clinician.waitForURL(/\/walkers\/\d+#prescribe$/), clinician.click('#adjust button[type=submit]')]);
  assert.match(await clinician.textContent('#plan-changes'), /weekdays: mon,wed,fri to tue,thu/);

  // The walker sees the change and why; the days on the calendar are Tuesdays and Thursdays.
  await walker.goto(`${base}/plan`);
  const changes = await walker.textContent('#latest-changes');
  assert.match(changes, new RegExp(`Changed by ${clinicianEmail}`));
  assert.match(changes, /weekdays: mon,wed,fri to tue,thu/);
  assert.match(changes, /Mondays clash with work/);
  const plan = await api(walker, 'GET', '/api/v1/plans');
  const stored = await api(walker, 'GET', `/api/v1/plans/${plan.body[0].id}`);
  for (const s of stored.body.sessions) {
    const day = new Date(`${s.date}T12:00:00Z`).getUTCDay();
    assert.ok(day === 2 || day === 4, `${s.date} is a Tuesday or Thursday`);
  }
  await audit(walker, 'plan with a change');
  await fitsThePhone(walker);
  await shot(walker, 'prescribe-04-plan-360');
  noProblems(walker);
  await walkerContext.close();
  await clinicianContext.close();
});
