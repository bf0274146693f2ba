// Data that stays right (issue 14): units only change how values are shown and typed, never what
// is stored; energy follows the body mass in force on each session's day and says why when there
// is none; imported files keep their sport; the review pages show every column with its header on
// a phone. Each test here failed before the fix of its class of problem.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, phonePage, audit, shot, noProblems, personWithPlan, api, root,
} from './support.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const tracks = `${root}/testdata/tracks`;
const KG_PER_LB = 0.45359237;
const MPS_PER_MPH = 0.44704;

async function setUnits(page, base, units) {
  await page.goto(`${base}/settings`);
  await page.check(`input[name=units][value=${units}]`);
  await Promise.all([page.waitForURL(/saved=1/), page.click('form[action="/settings"] button[type=submit]')]);
}

async function profile(page) {
  const r = await api(page, 'GET', '/api/v1/profile');
  assert.equal(r.status, 200);
  return r.body;
}

async function sessions(page) {
  const r = await api(page, 'GET', '/api/v1/sessions?limit=50');
  assert.equal(r.status, 200);
  return r.body.items;
}

// A day `back` days before today, as the browser sees it.
async function daysAgo(page, back) {
  return page.evaluate((n) => {
    const d = new Date();
    d.setDate(d.getDate() - n);
    return d.toLocaleDateString('en-CA');
  }, back);
}

test('units: a switch and back changes no stored body mass, speed, distance or height', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await personWithPlan(page, base);

  // Body mass: 180 lb is 81.65 kg, shown as 81.6 kg in metric and 180 lb again in imperial.
  await setUnits(page, base, 'imperial');
  assert.match(await page.textContent('label[for=body_mass]'), /\(lb\)/);
  await page.fill('#body_mass', '180');
  await Promise.all([page.waitForURL(/mass_from=/), page.click('form[action="/settings/body-mass"] button[type=submit]')]);
  const stored = (await profile(page)).body_mass_kg;
  assert.ok(Math.abs(stored - 180 * KG_PER_LB) < 1e-9, `180 lb is kept as ${stored} kg`);
  await setUnits(page, base, 'metric');
  assert.match(await page.textContent('#body-mass table'), /81\.6 kg/);
  assert.doesNotMatch(await page.textContent('#body-mass table'), /180/);
  assert.equal((await profile(page)).body_mass_kg, stored, 'switching to metric changed nothing stored');
  await shot(page, '50-units-metric');
  await setUnits(page, base, 'imperial');
  assert.match(await page.textContent('#body-mass table'), /180 lb/);
  assert.equal((await profile(page)).body_mass_kg, stored, 'and back: still the same');

  // A body-mass form shown in pounds and sent after the units became metric is read in pounds.
  await page.goto(`${base}/settings`);
  assert.equal((await api(page, 'PUT', '/api/v1/profile', { units: 'metric' })).status, 200);
  await page.fill('#body_mass', '170');
  await Promise.all([page.waitForURL(/mass_from=/), page.click('form[action="/settings/body-mass"] button[type=submit]')]);
  assert.ok(Math.abs((await profile(page)).body_mass_kg - 170 * KG_PER_LB) < 1e-9, '170 typed under "lb" is pounds');
  await setUnits(page, base, 'imperial');

  // Speed: 2.0 mph logged, shown as 3.2 km/h, saved unchanged, shown as 2.0 mph again.
  await page.goto(`${base}/log`);
  await page.selectOption('#rpe', '11'); // effort is never pre-selected
  assert.match(await page.textContent('label[for=backward_speed]'), /mph/);
  await page.fill('#backward_minutes', '10');
  await page.fill('#backward_speed', '2.0');
  await Promise.all([page.waitForURL(/\/history/), page.click('button[type=submit]')]);
  const speedOf = async () => (await sessions(page))[0].blocks.find((b) => b.direction === 'backward').speed_mps;
  const logged = await speedOf();
  assert.ok(Math.abs(logged - 2.0 * MPS_PER_MPH) < 1e-9, `2.0 mph is kept as ${logged} m/s`);
  await setUnits(page, base, 'metric');
  await page.goto(`${base}/history`);
  await page.click('table.history tbody tr >> text=Edit');
  assert.equal(await page.inputValue('#backward_speed'), '3.2');
  await Promise.all([page.waitForURL(/saved=1/), page.click('button[type=submit]')]);
  assert.equal(await speedOf(), logged, 'saved unchanged in km/h, the speed did not move by rounding');
  await setUnits(page, base, 'imperial');
  await page.goto(`${base}/history`);
  await page.click('table.history tbody tr >> text=Edit');
  assert.equal(await page.inputValue('#backward_speed'), '2.0');
  // An edit form shown in mph and sent after a switch to metric is read in mph.
  assert.equal((await api(page, 'PUT', '/api/v1/profile', { units: 'metric' })).status, 200);
  await page.fill('#backward_speed', '2.5');
  await Promise.all([page.waitForURL(/saved=1/), page.click('button[type=submit]')]);
  assert.ok(Math.abs((await speedOf()) - 2.5 * MPS_PER_MPH) < 1e-9, '2.5 typed under "mph" is miles per hour');

  // A plan's forward speed typed in km/h and started after a switch to imperial: km/h.
  await page.goto(`${base}/start/plan`);
  assert.match(await page.textContent('label[for=forward_speed]'), /km\/h/);
  await page.check('input[name=goal][value=knee]');
  await page.check('input[name=setting][value=treadmill]');
  await page.check('input[name=level][value=new]');
  await page.fill('#forward_speed', '4.5');
  await page.click('form[action="/start/plan"] button[type=submit]');
  assert.equal((await api(page, 'PUT', '/api/v1/profile', { units: 'imperial' })).status, 200);
  await Promise.all([page.waitForURL(/\/today$/), page.click('text=Start this plan')]);
  const plans = (await api(page, 'GET', '/api/v1/plans')).body;
  assert.ok(Math.abs(plans[0].details.forward_speed_mps - 4.5 / 3.6) < 1e-9, '4.5 typed under "km/h" is km/h');

  // Distance and height climbed: the same file in km and m, then in miles and feet.
  const review = async () => {
    await page.goto(`${base}/history/upload`);
    await page.setInputFiles('#files', `${tracks}/tcx/20181021_run_3106033902.tcx`);
    await page.click('button:has-text("Read the files")');
    return {
      legend: await page.textContent('fieldset.import legend'),
      laps: await page.locator('td[data-label=Distance]').allTextContents(),
      sent: await page.locator('input[name$=_distance]').evaluateAll((els) => els.map((e) => e.value)),
    };
  };
  await setUnits(page, base, 'metric');
  const metric = await review();
  await setUnits(page, base, 'imperial');
  const imperial = await review();
  const km = Number(metric.legend.match(/([\d.]+) km\b/)[1]);
  const mi = Number(imperial.legend.match(/([\d.]+) mi\b/)[1]);
  assert.ok(Math.abs(km / 1.609344 - mi) < 0.01, `${km} km is ${mi} mi`);
  const up = metric.legend.match(/(\d+) m climbed/);
  if (up) {
    const ft = Number(imperial.legend.match(/(\d+) ft climbed/)[1]);
    assert.ok(Math.abs(Number(up[1]) / 0.3048 - ft) <= 4, `${up[1]} m climbed is ${ft} ft`);
  }
  assert.ok(metric.laps.every((t) => /\d (m|km)$/.test(t)), metric.laps.join());
  assert.ok(imperial.laps.every((t) => /\d (ft|mi)$/.test(t)), imperial.laps.join());
  assert.deepEqual(imperial.sent, metric.sent, 'what the form sends back is in metres either way');
  noProblems(page);
  await context.close();
});

test('energy follows the body mass in force on the session day, and says why when there is none', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await personWithPlan(page, base);
  const day = await daysAgo(page, 10);

  // Logged with no body mass: no figure, and the reason, in the history and the API.
  await page.goto(`${base}/log`);
  await page.selectOption('#rpe', '11'); // effort is never pre-selected
  await page.fill('#date', day);
  await page.fill('#backward_minutes', '10');
  await Promise.all([page.waitForURL(/\/history/), page.click('button[type=submit]')]);
  assert.match(await page.textContent('table.history td.kcal'), /no body mass in force on that day/);
  assert.match(await page.textContent('.kcal-note'), /Settings/);
  let [session] = await sessions(page);
  assert.equal(session.kcal, null);
  assert.match(session.kcal_missing_reason, /No body mass/);
  await audit(page, 'history without kcal');
  await shot(page, '51-history-no-body-mass');

  // The first body mass holds from the first session's day by default, and says what it did.
  await page.goto(`${base}/settings`);
  assert.equal(await page.inputValue('#body_mass_from'), day);
  assert.match(await page.textContent('#body_mass_from-hint'), /first logged session/);
  await page.fill('#body_mass', '70');
  await Promise.all([page.waitForURL(/mass_from=/), page.click('form[action="/settings/body-mass"] button[type=submit]')]);
  assert.match(await page.textContent('.notice'), /energy of the 1 session from .* was estimated again/);
  await audit(page, 'settings with a body mass');
  await shot(page, '52-settings-body-mass');
  [session] = await sessions(page);
  // 10 min backward at the assumed 3.5 mph (code 17320, 6.0 METs) at 70 kg: 70 kcal.
  assert.ok(Math.abs(session.kcal - 70) < 1e-6, `${session.kcal}`);
  assert.equal(session.energy.body_mass_from, day);

  // A correction of that day re-estimates it; a body mass from today leaves it alone.
  await page.fill('#body_mass', '80');
  await page.fill('#body_mass_from', day);
  await Promise.all([page.waitForURL(/mass_from=/), page.click('form[action="/settings/body-mass"] button[type=submit]')]);
  assert.match(await page.textContent('.notice'), /1 session/);
  assert.ok(Math.abs((await sessions(page))[0].kcal - 80) < 1e-6);
  const today = await daysAgo(page, 0);
  await page.fill('#body_mass', '60');
  await page.fill('#body_mass_from', today);
  await Promise.all([page.waitForURL(/mass_from=/), page.click('form[action="/settings/body-mass"] button[type=submit]')]);
  assert.match(await page.textContent('.notice'), /No logged session falls/);
  assert.ok(Math.abs((await sessions(page))[0].kcal - 80) < 1e-6, 'the body mass in force on its day, not the latest');
  assert.ok(Math.abs((await profile(page)).body_mass_kg - 60) < 1e-9, 'the profile shows the latest');

  // Removing the entry of its day leaves it with none in force, and the reason says so.
  await Promise.all([page.waitForURL(/mass_removed=1/), page.click(`form[action="/settings/body-mass/${day}/remove"] button`)]);
  assert.match(await page.textContent('.notice'), /removed/);
  [session] = await sessions(page);
  assert.equal(session.kcal, null);
  assert.match(session.kcal_missing_reason, new RegExp(`earliest is from ${today}`));
  await page.goto(`${base}/history`);
  assert.match(await page.textContent('table.history td.kcal'), /no body mass in force/);
  noProblems(page);
  await context.close();
});

test('imported files keep their sport: a ride and a run are not walks, and only the walk counts', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser);
  await personWithPlan(page, base);
  assert.equal((await api(page, 'PUT', '/api/v1/profile', { units: 'metric', body_mass_kg: 70, body_mass_from: '2000-01-01' })).status, 200);
  await page.goto(`${base}/history/upload`);
  await page.setInputFiles('#files', [
    `${tracks}/fit/garmin-edge-820-bike.fit`, `${tracks}/fit/garmin-fenix-5-run.fit`, `${tracks}/fit/garmin-fenix-5-walk.fit`,
  ]);
  await page.click('button:has-text("Read the files")');
  assert.equal(await page.locator('fieldset.import').count(), 3);
  const chosen = await page.locator('select[name$=_sport]').evaluateAll((els) => els.map((e) => e.value));
  assert.deepEqual(chosen, ['cycling', 'running', 'walking'], 'each file keeps its sport');
  assert.equal(await page.locator('.sport-note').count(), 2, 'the ride and the run say they do not count toward the plan');
  await audit(page, 'review of three sports');
  await shot(page, '53-import-sports');
  // The walk's one lap was walked backward.
  await page.check('input[name="a2_l0_backward"]');
  await Promise.all([page.waitForURL(/imported=3/), page.click('button:has-text("Import 3 session")')]);
  const history = await page.textContent('table.history tbody');
  assert.match(history, /ride, not counted toward the plan/);
  assert.match(history, /run, not counted toward the plan/);
  await shot(page, '54-history-sports');

  const bySport = Object.fromEntries((await sessions(page)).map((s) => [s.sport, s]));
  const ride = bySport.cycling;
  const run = bySport.running;
  const walk = bySport.walking;
  assert.ok(ride && run && walk, Object.keys(bySport).join());
  const codes = (s) => s.energy.blocks.map((b) => b.source).join(' | ');
  assert.match(codes(ride), /Compendium 2024 code 010\d\d \(bicycling/, codes(ride));
  assert.match(codes(run), /Compendium 2024 code 120\d\d \((jogging|running)/, codes(run));
  for (const s of [ride, run]) {
    assert.doesNotMatch(codes(s), /walking/, 'never a walking code');
    assert.ok(s.kcal > 0);
    assert.equal(s.plan_id, null, 'not counted toward the plan');
  }
  assert.equal(walk.backward_seconds, walk.total_seconds, 'the lap marked backward counts as backward');
  assert.ok(walk.backward_seconds > 0);
  assert.match(codes(walk), /17320|backward/);

  // Within the plan's dates, a walk answers the plan and a run does not.
  const now = await page.evaluate(() => new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  const today = (sport) => api(page, 'POST', '/api/v1/sessions', {
    started_at: now, setting: 'ground', sport, rpe: 11, pain_before: 0, pain_after: 0,
    blocks: [{ direction: 'forward', seconds: 600, speed_mps: sport === 'running' ? 2.8 : 1.3 }],
  });
  const todaysRun = await today('running');
  assert.equal(todaysRun.status, 201, JSON.stringify(todaysRun.body));
  assert.equal(todaysRun.body.plan_id, null, 'a run does not count toward the plan');
  const todaysWalk = await today('walking');
  assert.notEqual(todaysWalk.body.plan_id, null, 'a walk does');
  const fast = await api(page, 'POST', '/api/v1/sessions', {
    started_at: now, setting: 'ground', rpe: 11, pain_before: 0, pain_after: 0,
    blocks: [{ direction: 'forward', seconds: 600, speed_mps: 2.8 }],
  });
  assert.equal(fast.status, 422, 'a walk at a running speed is refused, not taken as a 3 mph walk');
  assert.match(JSON.stringify(fast.body), /sport running/);
  noProblems(page);
  await context.close();
});

// On a phone a stacked table shows each cell with its column's header; a cell without one loses
// its meaning ("backward" beside a checkbox, "73%" alone).
async function everyCellHasItsHeader(page, table) {
  const problems = await page.evaluate((selector) => {
    const out = [];
    const t = document.querySelector(selector);
    const headers = [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    for (const row of t.querySelectorAll('tbody tr:not(.pick)')) {
      [...row.children].forEach((td, i) => {
        const label = getComputedStyle(td, '::before').content.replace(/^"|"$/g, '');
        const header = headers[i].replace(/\s*\(.*\)$/, '');
        if (!label.startsWith(header)) out.push(`column ${i} shows "${label}" for "${headers[i]}"`);
        const box = td.getBoundingClientRect();
        if (box.right > window.innerWidth + 1) out.push(`column ${i} is off the screen`);
        const card = row.getBoundingClientRect();
        for (const part of td.querySelectorAll('*')) {
          const r = part.getBoundingClientRect();
          if (r.width && r.right > card.right + 0.5) out.push(`column ${i}: ${part.tagName} sticks out of its card`);
        }
      });
    }
    return out;
  }, table);
  assert.deepEqual(problems, []);
}

test('review pages on a 360 px phone: every column with its header, directions with how sure they are', async () => {
  const { base } = server;
  const { context, page } = await phonePage(browser, { viewport: { width: 360, height: 740 } });
  await personWithPlan(page, base);

  await page.goto(`${base}/history/upload`);
  await page.setInputFiles('#files', `${tracks}/tcx/20181021_run_3106033902.tcx`);
  await page.click('button:has-text("Read the files")');
  await everyCellHasItsHeader(page, 'fieldset.import table');
  const backward = await page.locator('td.backward-cell >> nth=0').evaluate((td) => getComputedStyle(td, '::before').content);
  assert.match(backward, /Walked backward\?/);
  await audit(page, 'upload review on a phone');
  await shot(page, '55-upload-review-360');

  await page.goto(`${base}/history/motion`);
  await page.setInputFiles('#file', `${root}/testdata/motion/backward-mocap/09_12_right_foot.csv`);
  await page.check('input[name=placement][value=foot]');
  await page.fill('#forward_from', '0');
  await page.fill('#forward_to', '7.25');
  await Promise.all([page.waitForSelector('h1:has-text("What the motion shows")'), page.click('button:has-text("Analyse the file")')]);
  await everyCellHasItsHeader(page, 'table.stretches');
  const ways = await page.locator('table.stretches td.which-way').allTextContents();
  assert.ok(ways.some((w) => /backward \(sure\) \(\d+% likely\)/.test(w)), ways.join(' | '));
  assert.ok(ways.some((w) => /forward \(given\)$/.test(w.trim())), 'a stretch given as forward claims no detection');
  assert.match(await page.textContent('.how-sure'), /coin toss/);
  await audit(page, 'motion result on a phone');
  await shot(page, '56-motion-result-360');
  noProblems(page);
  await context.close();
});
