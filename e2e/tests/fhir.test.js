// The FHIR R4 export (issue 15): the walker downloads their record from Settings, and their
// clinician downloads it from the walker's page under the grant; both files are FHIR Bundles,
// and the clinician's download is in the walker's access log.
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

// Follows a download link as the browser would (same cookies) and reads the file.
async function download(page, base, selector) {
  const href = await page.getAttribute(selector, 'href');
  assert.notEqual(await page.getAttribute(selector, 'download'), null, 'a download link');
  const file = await page.request.get(base + href);
  assert.equal(file.status(), 200, href);
  assert.match(file.headers()['content-type'], /^application\/fhir\+json/);
  assert.match(file.headers()['content-disposition'], /attachment; filename="retrostride-fhir\.json"/);
  return file.json();
}

const types = (bundle) => bundle.entry.map((e) => e.resource.resourceType);

test('the walker and, under a grant, their clinician download the record as a FHIR R4 Bundle', async () => {
  const { base } = server;
  const clinicianEmail = `fhirclinician${Date.now()}@example.org`;
  const password = 'a clinician password 42';
  await cli(server, ['user', 'add', clinicianEmail, '--role', 'clinician', '--password-stdin'], `${password}\n`);

  const { context: walkerContext, page: walker } = await phonePage(browser, phone);
  await signUp(walker, base);
  assert.equal((await api(walker, 'POST', '/api/v1/screenings', clearAnswers)).status, 201);
  const logged = await api(walker, 'POST', '/api/v1/sessions', {
    started_at: '2026-11-16T07:30:00Z', setting: 'ground', blocks: [{ direction: 'backward', seconds: 300 }],
    rpe: 13, pain_before: 3, pain_after: 2, near_falls: 0, felt_safe: true, notes: '',
  });
  assert.equal(logged.status, 201, JSON.stringify(logged.body));

  // The walker's own, from Settings: everything, the screening too.
  await walker.goto(`${base}/settings`);
  assert.match(await walker.textContent('#fhir-export'), /Download as FHIR R4 \(for health records\)/);
  const own = await download(walker, base, '#fhir-export');
  assert.equal(own.resourceType, 'Bundle');
  assert.equal(own.type, 'collection');
  for (const t of ['Patient', 'QuestionnaireResponse', 'Observation']) assert.ok(types(own).includes(t), t);
  await audit(walker, 'settings with the FHIR link');
  const settingsWide = await walker.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(settingsWide <= 360, `settings is ${settingsWide} px wide`);
  await walker.locator('#fhir-export').scrollIntoViewIfNeeded();
  await shot(walker, 'fhir-01-settings-link-360', false);

  // The clinician, under a grant, from the walker's page.
  const { context: clinicianContext, page: clinician } = await phonePage(browser, phone);
  await clinician.goto(`${base}/signin`);
  await clinician.fill('#email', clinicianEmail);
  await clinician.fill('#password', password);
  await Promise.all([clinician.waitForURL((u) => !u.pathname.startsWith('/signin')), clinician.click('button[type=submit]')]);
  const invite = await api(clinician, 'POST', '/api/v1/clinician/invites');
  assert.equal(invite.status, 201);
  assert.equal((await api(walker, 'POST', '/api/v1/grants', { code: invite.body.code })).status, 201);
  const walkers = await api(clinician, 'GET', '/api/v1/clinician/walkers');
  const walkerId = walkers.body[0].id;
  await clinician.goto(`${base}/walkers/${walkerId}`);
  const shared = await download(clinician, base, '#fhir-export');
  assert.equal(shared.resourceType, 'Bundle');
  assert.ok(types(shared).includes('Observation'));
  assert.ok(types(shared).includes('Consent'));
  assert.ok(!types(shared).includes('QuestionnaireResponse'), 'the screening is not shared');
  const wide = await clinician.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the walker page is ${wide} px wide`);
  await audit(clinician, 'walker page with the FHIR link');
  noProblems(clinician);

  // The walker sees the download in the access log.
  // (A full load: the walker is on /settings already, and a change of hash alone would not reload.)
  await walker.goto(`${base}/settings`);
  assert.match(await walker.textContent('#access-log'), /the whole record as FHIR/);
  noProblems(walker);

  await walkerContext.close();
  await clinicianContext.close();
});
