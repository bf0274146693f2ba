// Shared set-up for the browser tests: a real `retrostride serve` on a throwaway SQLite file,
// Debian's headless Chromium driven by playwright-core, an axe-core audit, screenshots and the
// per-page figures (bytes on first load, server time).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const shots = join(root, 'e2e', 'screenshots');
mkdirSync(shots, { recursive: true });

const binary = process.env.RETROSTRIDE_BIN || join(root, 'target', 'debug', 'retrostride');
const axeSource = readFileSync(join(root, 'e2e', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

// Starts the server on a free port and resolves with its base URL and a stop function.
export async function startServer() {
  assert.ok(existsSync(binary), `${binary} is missing: run cargo build -p retrostride first`);
  const data = mkdtempSync(join(tmpdir(), 'retrostride-e2e-'));
  const child = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--auth-burst', '1000'], {
    env: { ...process.env, RETROSTRIDE_DATA_DIR: data, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out} ${stderr}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return { base, data, stop: () => child.kill('SIGTERM') };
}

// Runs the server's own command line on the server's data (`retrostride user add ...`): SQLite
// lets a second process write while the server runs.
export function cli(server, args, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env: { ...process.env, RETROSTRIDE_DATA_DIR: server.data, RUST_LOG: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`retrostride ${args.join(' ')} exited ${code}: ${out}`))));
    child.stdin.end(input);
  });
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--autoplay-policy=no-user-gesture-required'],
  });
}

// A phone-sized page that fails the test on any script error or CSP violation.
export async function phonePage(browser, options = {}) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, hasTouch: true, isMobile: true, ...options,
  });
  const page = watchProblems(await context.newPage());
  return { context, page };
}

// Collects the page's script errors and CSP violations for `noProblems`.
export function watchProblems(page) {
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to/i.test(text)) page.problems.push(`CSP: ${text}`);
  });
  return page;
}

export function noProblems(page) {
  assert.deepEqual(page.problems, [], 'the page reported script errors or CSP violations');
}

// Runs axe-core in the page (evaluated through the DevTools protocol, so the page's CSP stays as
// it is) and fails on any serious or critical violation.
export async function audit(page, name) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  const bad = results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `axe found serious or critical violations on ${name}: ${JSON.stringify(bad, null, 1)}`);
  return results;
}

export async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
}

// Bytes and server time of the page just loaded, from the browser's own timing entries.
const figures = [];
export async function measure(page, name) {
  const f = await page.evaluate(() => {
    const nav = performance.getEntriesByType?.('navigation')?.[0];
    if (!nav) return null;
    const resources = performance.getEntriesByType('resource');
    const bytes = (e) => e.transferSize || e.encodedBodySize || 0;
    return {
      html: bytes(nav),
      assets: resources.reduce((a, e) => a + bytes(e), 0),
      server_ms: nav.responseStart - nav.requestStart,
    };
  });
  // A page on a fake clock has no timing entries: it is measured elsewhere.
  if (f) figures.push({ page: name, ...f, total: f.html + f.assets });
  return f;
}
export function saveFigures(file) {
  writeFileSync(join(shots, file), JSON.stringify(figures, null, 1));
  for (const f of figures) {
    console.log(`figure ${f.page.padEnd(22)} html ${String(f.html).padStart(7)} B  assets ${String(f.assets).padStart(7)} B  total ${String(f.total).padStart(7)} B  server ${f.server_ms.toFixed(1)} ms`);
  }
}

// Signs up through the form with a fresh email and returns it.
let counter = 0;
export async function signUp(page, base) {
  counter += 1;
  const email = `walker${Date.now()}${counter}@example.org`;
  await page.goto(`${base}/signup`);
  await page.fill('#email', email);
  await page.fill('#password', 'a long enough password');
  await Promise.all([page.waitForURL(/\/start\/screening/), page.click('button[type=submit]')]);
  return email;
}

// Through the API, from inside the signed-in page (cookie and CSRF token as the browser has them).
export async function api(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const r = await fetch(path, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, { method, path, body });
}

export const clearAnswers = {
  age: 45, heart_condition: false, chest_pain: false, dizziness_or_fainting: false, other_chronic_condition: false,
  medication_for_chronic_condition: false, bone_or_joint_problem: false, supervised_activity_only: false,
  fall_last_12_months: false, near_fall_last_12_months: false, balance_problems: false, neurological_condition: false,
  lower_limb_injury_or_surgery_6_months: false, poor_vision: false, walking_aid: false, osteoporosis: false,
  pregnant: false, currently_active: true, clinician_approved: false,
};

// A signed-up, screened person with a plan starting today, made through the API.
export async function personWithPlan(page, base, plan = {}) {
  await signUp(page, base);
  const screening = await api(page, 'POST', '/api/v1/screenings', clearAnswers);
  assert.equal(screening.status, 201, JSON.stringify(screening.body));
  const today = await page.evaluate(() => new Date().toLocaleDateString('en-CA'));
  const made = await api(page, 'POST', '/api/v1/plans', { goal: 'knee', setting: 'ground', level: 'new', days_per_week: 3, weeks: 6, start: today, ...plan });
  assert.equal(made.status, 201, JSON.stringify(made.body));
}

// Records every cue the timer gives: beeps (oscillators started), speech and vibration, with the
// page's (fake) clock time.
export const cueRecorder = () => {
  window.__cues = [];
  const record = (kind, text) => window.__cues.push({ kind, text, at: Date.now() });
  const original = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function createOscillator() { record('beep'); return original.call(this); };
  speechSynthesis.speak = (u) => record('speech', u.text);
  speechSynthesis.cancel = () => {};
  Object.defineProperty(navigator, 'vibrate', { value: () => { record('vibrate'); return true; }, configurable: true });
};
