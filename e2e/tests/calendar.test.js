// A week you can see: training weekdays and a time on the plan form, the plan page's calendar
// of the coming weeks, the secret calendar feed (made, replaced, revoked), reminders on this
// device, and the technique pictures beside the session and on the plan page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, phonePage, audit, shot, shots, noProblems, signUp, api, clearAnswers, personWithPlan,
} from './support.js';
import { join } from 'node:path';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const weekday = /^(Mon|Wed|Fri) /;

test('the plan form takes weekdays and a time, refuses too few, and the plan page shows the coming weeks', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser, { viewport: { width: 360, height: 800 } });
  await signUp(page, base);
  assert.equal((await api(page, 'POST', '/api/v1/screenings', clearAnswers)).status, 201);

  await page.goto(`${base}/start/plan`);
  await page.check('input[name=goal][value=knee]');
  await page.check('input[name=setting][value=ground]');
  await page.check('input[name=level][value=new]');
  await page.selectOption('#days_per_week', '3');
  await page.check('input[name=day_mon]');
  await page.check('input[name=day_wed]');
  await page.fill('#time_of_day', '07:30');
  await page.click('text=Preview my plan');
  // Two weekdays for three sessions a week: refused beside the weekdays, with what to do.
  assert.match(await page.textContent('#training_days-error'), /ticked 2 weekday\(s\) for 3 days a week: tick at least 3/);
  assert.ok(await page.isChecked('input[name=day_mon]'), 'the ticks are kept');
  assert.equal(await page.inputValue('#time_of_day'), '07:30');
  await audit(page, 'plan form with a weekday error');
  await shot(page, 'calendar-01-plan-form-360');
  await page.locator('#training_days').screenshot({ path: join(shots, 'calendar-01b-weekdays-360.png') });

  await page.check('input[name=day_fri]');
  await Promise.all([page.waitForURL(/\/start\/plan$/), page.click('text=Preview my plan')]);
  assert.match(await page.textContent('.schedule'), /On Monday, Wednesday and Friday at 07:30\./);
  const dates = await page.$$eval('table tbody tr td:nth-child(2)', (cells) => cells.map((c) => c.textContent));
  assert.equal(dates.length, 18);
  for (const d of dates) assert.match(d, /^(Mon|Wed|Fri) .*, 07:30$/, d);
  await Promise.all([page.waitForURL(/\/today$/), page.click('text=Start this plan')]);

  // The plan page: the weeks to come, day by day, with each session's blocks.
  await page.click('nav >> text=Plan');
  await page.waitForURL(/\/plan$/);
  assert.match(await page.textContent('.schedule'), /On Monday, Wednesday and Friday at 07:30\./);
  const weeks = await page.locator('section.week').count();
  assert.ok(weeks >= 5, `at least five weeks shown, got ${weeks}`);
  const sessions = await page.$$eval('.day-session .day-name', (els) => els.map((e) => e.textContent.trim()));
  assert.ok(sessions.length >= 13, `sessions shown: ${sessions.length}`);
  for (const s of sessions) {
    assert.match(s, weekday, s);
    assert.match(s, /07:30/, s);
  }
  const rests = await page.$$eval('.day-rest:not(.day-outside) .day-name', (els) => els.map((e) => e.textContent.trim()));
  for (const r of rests) assert.doesNotMatch(r, weekday, r);
  assert.equal(await page.locator('.day-next').count(), 1, 'the next session is marked');
  assert.match(await page.textContent('.day-next .day-blocks'), /5 min forward warm-up · backward .* · 5 min forward cool-down/);
  assert.match(await page.textContent('.day-next .day-number'), /session 1, your next/);
  assert.ok(await page.locator('.day-change:has-text("Steps up")').count() >= 1, 'step-ups say that progression may change them');
  assert.equal(await page.locator('.session-bar rect.bar-backward').first().count(), 1);
  // Adjusting: the sessions left move to other weekdays and another time.
  assert.ok(await page.isChecked('form[action="/plan/schedule"] input[name=day_wed]'), 'the form shows the days chosen');
  assert.equal(await page.inputValue('form[action="/plan/schedule"] #time_of_day'), '07:30');
  for (const d of ['mon', 'wed', 'fri']) await page.uncheck(`form[action="/plan/schedule"] input[name=day_${d}]`);
  await page.check('form[action="/plan/schedule"] input[name=day_tue]');
  await page.click('text=Move my sessions');
  assert.match(await page.textContent('#training_days-error'), /at least 3 weekdays/);
  await page.check('form[action="/plan/schedule"] input[name=day_thu]');
  await page.check('form[action="/plan/schedule"] input[name=day_sat]');
  await page.fill('form[action="/plan/schedule"] #time_of_day', '18:00');
  await Promise.all([page.waitForURL(/\/plan\?moved=1$/), page.click('text=Move my sessions')]);
  assert.match(await page.textContent('.notice'), /moved to the new days and time/);
  assert.match(await page.textContent('.schedule'), /On Tuesday, Thursday and Saturday at 18:00\./);
  const moved = await page.$$eval('.day-session .day-name', (els) => els.map((e) => e.textContent.trim()));
  assert.ok(moved.length >= 13, `sessions shown: ${moved.length}`);
  for (const s of moved) assert.match(s, /^(Tue|Thu|Sat) .*18:00/, s);
  await audit(page, 'plan page');
  await shot(page, 'calendar-02-plan-360');
  await shot(page, 'calendar-02b-plan-360-top', false);
  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(page, 'calendar-03-plan-1280');
  await shot(page, 'calendar-03b-plan-1280-top', false);
  noProblems(page);
  await context.close();
});

test('a secret calendar link gives the sessions as iCalendar with alarms; a new link or a revoke ends the old one', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser, { viewport: { width: 360, height: 800 } });
  await personWithPlan(page, base, { training_days: ['tue', 'thu', 'sat'], time_of_day: '18:15' });

  await page.goto(`${base}/settings`);
  assert.match(await page.textContent('#calendar-state'), /no calendar link/);
  await Promise.all([page.waitForURL(/\/settings\/calendar$/), page.click('text=Make a calendar link')]);
  const first = await page.inputValue('#feed-url');
  assert.match(first, /^http:\/\/127\.0\.0\.1:\d+\/calendar\/cal_[0-9a-f]{64}\.ics$/);
  assert.match(await page.getAttribute('text=Subscribe on this device', 'href'), /^webcal:\/\//);
  await audit(page, 'calendar link');
  await shot(page, 'calendar-04-link-360');

  // Fetched like a calendar app does: no cookie.
  const feed = await fetch(first);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /^text\/calendar/);
  const ics = await feed.text();
  assert.match(ics, /^BEGIN:VCALENDAR\r\nVERSION:2\.0\r\n/);
  assert.equal(ics.match(/BEGIN:VEVENT/g).length, 18);
  assert.equal(ics.match(/BEGIN:VALARM/g).length, 18);
  assert.match(ics, /TRIGGER:-PT30M/);
  const starts = [...ics.matchAll(/DTSTART:(\d{4})(\d{2})(\d{2})T181500/g)];
  assert.equal(starts.length, 18, 'every session starts at 18:15 local time');
  for (const [, y, m, d] of starts) {
    const day = new Date(Date.UTC(+y, +m - 1, +d)).getUTCDay();
    assert.ok([2, 4, 6].includes(day), `${y}-${m}-${d} is a Tuesday, Thursday or Saturday`);
  }
  assert.match(ics, /SUMMARY:Retro walk: 5 min backward\\, \d+ min in all/);

  // A new link replaces the old one.
  await page.goto(`${base}/settings#calendar`);
  assert.match(await page.textContent('#calendar-state'), /You have a calendar link, made/);
  await audit(page, 'settings with a calendar link');
  await page.locator('#calendar').screenshot({ path: join(shots, `calendar-05-settings-block-360.png`) });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('#calendar').screenshot({ path: join(shots, `calendar-05b-settings-block-1280.png`) });
  await Promise.all([page.waitForURL(/\/settings\/calendar$/), page.click('text=Make a new calendar link')]);
  await shot(page, 'calendar-04b-link-1280', false);
  await page.setViewportSize({ width: 360, height: 800 });
  const second = await page.inputValue('#feed-url');
  assert.notEqual(second, first);
  assert.equal((await fetch(first)).status, 404, 'the replaced link is gone');
  assert.equal((await fetch(second)).status, 200);

  // Revoked: 404, and settings say so.
  await page.goto(`${base}/settings`);
  await Promise.all([page.waitForURL(/calendar=revoked/), page.click('text=Revoke the calendar link')]);
  assert.match(await page.textContent('.notice'), /Calendar link revoked/);
  assert.match(await page.textContent('#calendar-state'), /no calendar link/);
  assert.equal((await fetch(second)).status, 404);
  assert.equal((await fetch(`${base}/calendar/cal_nothing.ics`)).status, 404);
  noProblems(page);
  await context.close();
});

// A stand-in for the browser's Notification: records what is asked and shown, and keeps the
// granted permission across pages as a browser would.
const fakeNotifications = () => {
  window.__notes = JSON.parse(sessionStorage.getItem('notes') || '[]');
  class FakeNotification {
    constructor(title, options) {
      window.__notes.push(options.body);
      sessionStorage.setItem('notes', JSON.stringify(window.__notes));
    }
    addEventListener() {}
    static get permission() { return localStorage.getItem('fake-permission') || 'default'; }
    static async requestPermission() {
      localStorage.setItem('asked', String(Number(localStorage.getItem('asked') || 0) + 1));
      localStorage.setItem('fake-permission', 'granted');
      return 'granted';
    }
  }
  window.Notification = FakeNotification;
};

test('reminders ask for permission only when turned on, then notify at a session\'s time while a page is open', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser, { viewport: { width: 360, height: 800 } });
  await page.addInitScript(fakeNotifications);
  await signUp(page, base);
  assert.equal((await api(page, 'POST', '/api/v1/screenings', clearAnswers)).status, 201);
  // A session every day, starting a minute ago (so the page opened now is just in time).
  const { today, time } = await page.evaluate(() => {
    const t = new Date(Date.now() - 60_000);
    const pad = (n) => String(n).padStart(2, '0');
    return { today: t.toLocaleDateString('en-CA'), time: `${pad(t.getHours())}:${pad(t.getMinutes())}` };
  });
  const made = await api(page, 'POST', '/api/v1/plans', {
    goal: 'knee', setting: 'ground', level: 'new', days_per_week: 7, weeks: 1, start: today,
    training_days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], time_of_day: time,
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));

  await page.goto(`${base}/plan`);
  await page.goto(`${base}/settings`);
  assert.equal(await page.evaluate(() => localStorage.getItem('asked')), null, 'no permission asked before the switch');
  assert.match(await page.textContent('#reminders-status'), /Off\. Turning it on asks/);
  assert.ok(!(await page.isDisabled('#reminders-toggle')));
  await page.check('#reminders-toggle');
  await page.waitForFunction(() => /^On:/.test(document.getElementById('reminders-status').textContent));
  assert.equal(await page.evaluate(() => localStorage.getItem('asked')), '1');
  await page.waitForFunction(() => window.__notes.length === 1);
  assert.match((await page.evaluate(() => window.__notes))[0], new RegExp(`Retro walk at ${time}: 5 min backward`));
  await audit(page, 'settings with reminders on');
  await page.locator('#calendar').screenshot({ path: join(shots, `calendar-06-reminders-on-360.png`) });

  // The same session is announced once, whichever page opens next.
  await page.goto(`${base}/today`);
  await page.waitForTimeout(500);
  assert.equal((await page.evaluate(() => window.__notes)).length, 1);
  // Turned off: nothing more, and the switch says so.
  await page.goto(`${base}/settings`);
  await page.uncheck('#reminders-toggle');
  assert.match(await page.textContent('#reminders-status'), /^Off/);
  assert.equal(await page.evaluate(() => localStorage.getItem('retrostride.reminders')), 'off');
  noProblems(page);
  await context.close();
});

test('technique pictures stand beside today\'s session and on the plan page', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser, { viewport: { width: 360, height: 800 } });
  await personWithPlan(page, base);
  const captions = [/Toe to heel/, /Soft knees/, /Chest up/, /Look over your shoulder/, /A hand on the rail or wall/];
  for (const [path, name] of [['/today', 'today'], ['/plan', 'plan']]) {
    await page.goto(`${base}${path}`);
    const figures = page.locator('.technique figure');
    assert.equal(await figures.count(), 5, `${path}: five pictures`);
    const texts = await page.$$eval('.technique figcaption', (els) => els.map((e) => e.textContent));
    captions.forEach((c, i) => assert.match(texts[i], c));
    const images = await page.$$eval('.technique img', (imgs) => imgs.map((i) => ({ alt: i.alt, w: i.naturalWidth, complete: i.complete })));
    for (const i of images) {
      assert.ok(i.alt.length > 10, `alt text: ${i.alt}`);
      assert.ok(i.complete && i.w > 0, 'the picture loads');
    }
    await audit(page, `${name} with technique pictures`);
    await page.locator('.technique').screenshot({ path: join(shots, `calendar-07-technique-${name}-360.png`) });
  }
  // Each drawing carries its own title and description.
  const svg = await (await fetch(`${base}/static/technique-toe-to-heel.svg`)).text();
  assert.match(svg, /<title id="t">Toe to heel<\/title>/);
  assert.match(svg, /<desc id="d">/);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}/today`);
  await shot(page, 'calendar-08-today-1280');
  noProblems(page);
  await context.close();
});
