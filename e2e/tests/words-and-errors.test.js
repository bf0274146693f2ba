// Errors a browser sees are pages in the app's style that say what happened and what to do;
// the pages speak the domain's words, not identifiers; bad values never break a page; the
// 3MBWT saves under the strict CSP; a new API token can be copied and says it is shown once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startServer, launch, phonePage, audit, shot, noProblems, signUp, api, clearAnswers, personWithPlan, root,
} from './support.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

// Nothing on the page is wider than the screen (a long value would widen the layout).
async function fitsTheScreen(page, what) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `${what}: the page is ${scroll} px wide on a ${width} px screen`);
}

test('errors are pages that say what happened and what to do', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  // An address that leads nowhere: a page, not JSON.
  const missing = await page.goto(`${base}/no/such/page`);
  assert.equal(missing.status(), 404);
  assert.match(missing.headers()['content-type'], /text\/html/);
  assert.match(await page.textContent('h1'), /Not found/);
  assert.match(await page.textContent('main'), /no page at this address/i);
  assert.ok(await page.isVisible('header.site nav'), 'in the app\'s own frame');
  await audit(page, '404 page');
  await shot(page, 'words-01-404');
  // The API still answers problem+json.
  const apiMissing = await page.request.get(`${base}/api/v1/nothing`);
  assert.equal(apiMissing.status(), 404);
  assert.match(apiMissing.headers()['content-type'], /application\/problem\+json/);

  await signUp(page, base);
  await api(page, 'POST', '/api/v1/screenings', clearAnswers);
  // A damaged FIT file is named with its problem in words, not a byte offset.
  await page.goto(`${base}/history/upload`);
  await page.setInputFiles('#files', [join(root, 'testdata/tracks/broken/garmin-fenix-5-walk.truncated.fit')]);
  await page.click('button:has-text("Read the files")');
  const summary = await page.textContent('.error-summary');
  assert.match(summary, /cut off/);
  assert.doesNotMatch(summary, /byte \d|at byte|offset/i);
  await shot(page, 'words-02-fit-error');

  // An upload over the limit says how large it was and what the limit is.
  const dir = mkdtempSync(join(tmpdir(), 'retrostride-large-'));
  const large = join(dir, 'huge.gpx');
  writeFileSync(large, Buffer.alloc(70 * 1024 * 1024, 32));
  await page.goto(`${base}/history/upload`);
  await page.setInputFiles('#files', [large]);
  await page.click('button:has-text("Read the files")');
  await page.waitForSelector('h1');
  assert.match(await page.textContent('h1'), /Too large/);
  assert.match(await page.textContent('main'), /The upload is \d+ MB; the limit is \d+ MB/);
  await shot(page, 'words-03-too-large');
  noProblems(page);
  await context.close();
});

test('the pages speak the domain\'s words', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await signUp(page, base);
  // A near-fall in the last year: cleared, with precautions (a hallway beside a wall, shorter blocks...).
  const screening = await api(page, 'POST', '/api/v1/screenings', { ...clearAnswers, near_fall_last_12_months: true });
  assert.equal(screening.status, 201);
  assert.equal(screening.body.clearance, 'cleared_with_precautions');
  await page.goto(`${base}/start/plan`);
  const eyebrow = await page.textContent('.eyebrow');
  assert.match(eyebrow, /cleared, with precautions/);
  assert.doesNotMatch(await page.textContent('main'), /cleared_with_precautions|CLEARED|see_clinician_first/);
  await page.check('input[name=goal][value=general]');
  await page.check('input[name=setting][value=hallway]');
  await page.check('input[name=level][value=new]');
  await page.click('button[type=submit]');
  // The title says what this plan asks for, not the trial's dose.
  const title = await page.textContent('h1');
  const firstRow = await page.textContent('table tbody tr td:nth-child(3)').catch(() => '');
  assert.doesNotMatch(title, /^10 minutes a day$/);
  assert.match(title, /backward/);
  const preview = await page.textContent('main');
  assert.doesNotMatch(preview, /treadmill/i, 'a hallway plan carries no treadmill precaution');
  await shot(page, 'words-04-plan-preview');
  await Promise.all([page.waitForURL(/\/today$/), page.click('text=Start this plan')]);
  // Day one starts; it does not "advance".
  assert.match(await page.textContent('.decision'), /^Start/);
  const today = await page.textContent('main');
  assert.doesNotMatch(today, /treadmill/i);
  const precautions = await page.locator('.precautions li').allTextContents();
  assert.ok(precautions.length > 0, 'the precautions are listed');
  assert.equal(new Set(precautions).size, precautions.length, 'each precaution once');
  for (const p of precautions) {
    const times = today.split(p).length - 1;
    assert.equal(times, 1, `"${p}" appears ${times} times on the page`);
  }
  // The current page is highlighted in the navigation.
  for (const [path, name] of [['/today', 'Today'], ['/history', 'History'], ['/progress', 'Progress'], ['/settings', 'Settings']]) {
    await page.goto(`${base}${path}`);
    const current = page.locator('header.site nav a[aria-current="page"]');
    assert.equal(await current.count(), 1, `${path}: one current entry`);
    assert.equal((await current.textContent()).trim(), name);
    const marked = await current.evaluate((a) => getComputedStyle(a).borderBottomStyle !== 'none' || getComputedStyle(a).fontWeight >= 700);
    assert.ok(marked, `${path}: the current entry is marked`);
  }
  await shot(page, 'words-05-today');
  noProblems(page);
  await context.close();
  void firstRow;
});

test('bad values are refused with a message and never widen the page', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser, { viewport: { width: 360, height: 740 } });
  await personWithPlan(page, base);
  await page.goto(`${base}/log`);
  await page.selectOption('#rpe', '11'); // effort is never pre-selected
  await page.fill('#backward_minutes', '5');
  await page.fill('#backward_speed', '1e308');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('#backward_speed-error'), /speed/i);
  await page.fill('#backward_speed', '');
  await page.fill('#notes', 'x'.repeat(10000));
  await page.click('button[type=submit]');
  assert.match(await page.textContent('#notes-error'), /4000|4,000/);
  await fitsTheScreen(page, 'log form with errors');
  await shot(page, 'words-06-log-bad-values');
  // A long unbroken note (code, a link) wraps instead of widening the history.
  const code = 'fn_backward_walk(' + 'a'.repeat(1500) + ')';
  await page.fill('#notes', code);
  await Promise.all([page.waitForURL(/\/history/), page.click('button[type=submit]')]);
  await fitsTheScreen(page, 'history with a long note');
  const session = await api(page, 'GET', '/api/v1/sessions');
  await page.goto(`${base}/history/${session.body.items[0].id}`).catch(() => {});
  await fitsTheScreen(page, 'a session with a long note');
  await shot(page, 'words-07-long-note');
  noProblems(page);
  await context.close();
});

test('the 3MBWT saves under the strict CSP, with no violation', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.sourceFile}:${e.lineNumber}`));
  });
  await personWithPlan(page, base);
  const response = await page.goto(`${base}/assess/3mbwt`);
  assert.doesNotMatch(response.headers()['content-security-policy'], /unsafe-inline/);
  await page.fill('#seconds', '7.4');
  await page.click('form[action="/assess/3mbwt"] button[type=submit]');
  await page.waitForSelector('#result');
  assert.match(await page.textContent('#result'), /7\.4 s/);
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  const saved = await api(page, 'GET', '/api/v1/assessments');
  assert.equal(saved.body.length, 1, 'the result was saved');
  noProblems(page);
  await context.close();
});

test('a new API token says it is shown once and has a copy button', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await personWithPlan(page, base);
  await page.goto(`${base}/settings`);
  await page.fill('#token_name', 'phone');
  await page.fill('#token_password', 'a long enough password');
  await page.click('form[action="/settings/tokens"] button[type=submit]');
  const token = (await page.textContent('#new-token')).trim();
  assert.match(await page.textContent('.notice'), /shown only this once/);
  await page.click('button[data-copy="#new-token"]');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
  assert.match(await page.textContent('button[data-copy="#new-token"]'), /Copied/);
  await audit(page, 'settings with a new token');
  await shot(page, 'words-08-token');
  noProblems(page);
  await context.close();
});
