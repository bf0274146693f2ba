// Sharing with a clinician by consent (issue 15): the clinician makes an invite, the walker reads
// exactly what would be shared and accepts, the clinician reads the walker's sessions, the walker
// sees that read in the access log and revokes, and the clinician's next request is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, phonePage, audit, shot, shots, noProblems, signUp, api, clearAnswers, cli,
} from './support.js';
import { join } from 'node:path';

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

// Nothing wider than the 360 px screen (emails, codes and links wrap).
async function fitsThePhone(page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the page is ${wide} px wide on a 360 px screen`);
}

test('a walker shares by consent, sees each read in the access log, and a revocation takes effect at once', async () => {
  const { base } = server;
  const clinicianEmail = `clinician${Date.now()}@example.org`;
  const password = 'a clinician password 42';
  await cli(server, ['user', 'add', clinicianEmail, '--role', 'clinician', '--password-stdin'], `${password}\n`);

  const { context: walkerContext, page: walker } = await phonePage(browser, phone);
  const walkerEmail = await signUp(walker, base);
  assert.equal((await api(walker, 'POST', '/api/v1/screenings', clearAnswers)).status, 201);
  const logged = await api(walker, 'POST', '/api/v1/sessions', {
    started_at: '2026-11-16T07:30:00Z', setting: 'ground', blocks: [{ direction: 'backward', seconds: 300 }],
    rpe: 13, pain_before: 3, pain_after: 4, near_falls: 1, felt_safe: true, notes: 'wobbly on the turn',
  });
  assert.equal(logged.status, 201, JSON.stringify(logged.body));
  // A person has no Walkers page.
  assert.equal(await walker.locator('nav >> text=Walkers').count(), 0);
  assert.equal((await walker.goto(`${base}/walkers`)).status(), 403);

  // The clinician: nobody by default, then an invite with a code and a link.
  const { context: clinicianContext, page: clinician } = await phonePage(browser, phone);
  await signIn(clinician, base, clinicianEmail, password);
  await clinician.click('nav >> text=Walkers');
  await clinician.waitForURL(/\/walkers$/);
  assert.match(await clinician.textContent('#walkers-state'), /Nobody shares with you yet/);
  await clinician.click('text=Make an invite');
  const code = (await clinician.textContent('#invite-code')).trim();
  assert.match(code, /^[0-9a-f]{4}(-[0-9a-f]{4}){4}$/);
  const link = (await clinician.textContent('#invite-link')).trim();
  assert.equal(link, `${base}/share/${code}`);
  await audit(clinician, 'walkers with an invite');
  await fitsThePhone(clinician);
  await shot(clinician, 'clinician-01-invite-360');
  noProblems(clinician);

  // Someone without an account opens the link: through sign-in to a new account and back to the
  // invite; they decline, and the invite is used up.
  const { context: elsewhere, page: fresh } = await phonePage(browser, phone);
  await fresh.goto(link);
  assert.match(fresh.url(), /\/signin\?next=(%2F|\/)share(%2F|\/)/);
  await fresh.click('text=Create an account');
  await fresh.fill('#email', `newcomer${Date.now()}@example.org`);
  await fresh.fill('#password', 'a long enough password');
  await Promise.all([fresh.waitForURL(new RegExp(`/share/${code}$`)), fresh.click('button[type=submit]')]);
  await Promise.all([fresh.waitForURL(/\/settings\?declined=1/), fresh.click('text=Decline')]);
  assert.match(await fresh.textContent('.notice'), /Invite declined: nothing is shared/);
  assert.match(await fresh.textContent('#grants-state'), /You share with no clinician/);
  assert.equal((await fresh.goto(link)).status(), 404);
  assert.match(await fresh.textContent('main'), /already used or declined/);
  noProblems(fresh);
  await elsewhere.close();

  // A second invite, for the walker.
  await clinician.goto(`${base}/walkers`);
  await clinician.click('text=Make an invite');
  const code2 = (await clinician.textContent('#invite-code')).trim();
  assert.notEqual(code2, code);
  const link2 = (await clinician.textContent('#invite-link')).trim();

  // The walker follows the link and reads exactly what is shared and what may be changed.
  await walker.goto(link2);
  assert.match(await walker.textContent('h2'), new RegExp(`${clinicianEmail} asks to see your walking`));
  const shared = await walker.$$eval('#shared li', (items) => items.map((i) => i.textContent));
  assert.equal(shared.length, 4);
  assert.match(shared.join(' | '), /plans.*pain before and after, effort \(RPE\), near-falls.*assessments.*motion analyses/);
  assert.deepEqual(await walker.$$eval('#changes li', (items) => items.map((i) => i.textContent)), ['your plan and its progression rules']);
  assert.match(await walker.textContent('main'), /stop sharing there at any time, with immediate effect/);
  await audit(walker, 'share page');
  await fitsThePhone(walker);
  await shot(walker, 'clinician-02-share-page-360');
  await Promise.all([walker.waitForURL(/\/settings\?shared=1/), walker.click('text=Accept and share')]);
  assert.match(await walker.textContent('.notice'), /You now share with the clinician below/);
  assert.match(await walker.textContent('#grants'), new RegExp(`${clinicianEmail}: sharing since`));
  assert.match(await walker.textContent('#access-log-state'), /No clinician has read or changed your data/);
  // The link works once.
  assert.equal((await walker.goto(link2)).status(), 404);

  // The clinician reads the walker's sessions: pain, RPE, near-falls.
  await clinician.goto(`${base}/walkers`);
  await Promise.all([clinician.waitForURL(/\/walkers\/\d+$/), clinician.click(`#walkers >> text=${walkerEmail}`)]);
  const walkerPage = clinician.url();
  const row = await clinician.textContent('#walker-sessions tbody tr');
  assert.match(row, /2026-11-16/);
  assert.match(row, /13/);
  assert.match(row, /3 → 4/);
  assert.match(row, /wobbly on the turn/);
  await audit(clinician, 'one walker');
  await fitsThePhone(clinician);
  await shot(clinician, 'clinician-03-walker-sessions-360');
  noProblems(clinician);

  // The walker sees that read: who, when, what, from where.
  await walker.goto(`${base}/settings#sharing`);
  const entry = await walker.textContent('#access-log tbody tr');
  assert.match(entry, new RegExp(clinicianEmail));
  assert.match(entry, /read sessions/);
  assert.match(entry, /GET \/walkers\/\{id\}/);
  assert.match(entry, /\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  await audit(walker, 'settings with sharing');
  await fitsThePhone(walker);
  await walker.locator('#sharing').screenshot({ path: join(shots, 'clinician-04-access-log-360.png') });

  // Revoke: the clinician's very next request is refused, as for any missing thing.
  await Promise.all([walker.waitForURL(/\/settings\?unshared=1/), walker.click('#grants >> text=Revoke')]);
  assert.match(await walker.textContent('.notice'), /Sharing revoked/);
  assert.match(await walker.textContent('#grants'), /revoked \d{4}-/);
  assert.equal((await clinician.goto(walkerPage)).status(), 404);
  const walkerId = walkerPage.split('/').pop();
  assert.equal((await api(clinician, 'GET', `/api/v1/clinician/walkers/${walkerId}/sessions`)).status, 404);
  await clinician.goto(`${base}/walkers`);
  assert.match(await clinician.textContent('#walkers-state'), /Nobody shares with you yet/);
  // Refused reads are not reads: the log still holds the two (the caseload that listed the
  // walker, then their sessions).
  await walker.goto(`${base}/settings#sharing`);
  assert.equal(await walker.locator('#access-log tbody tr').count(), 2);
  assert.match(await walker.locator('#access-log tbody tr').nth(1).textContent(), /read caseload summary.*GET \/walkers/s);
  await shot(walker, 'clinician-05-settings-revoked-360');
  noProblems(walker);

  await walkerContext.close();
  await clinicianContext.close();
});
