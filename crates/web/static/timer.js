// The guided session timer. Time comes from the wall clock (Date.now) and the state lives in
// localStorage, so a reload, a locked phone or a dropped network never loses the session: the
// timer carries on from where the clock says it is, and the log waits in the outbox until the
// server acknowledges it.
import { enqueue, flush, describe, keepSending } from './outbox.js';
import { keepRecording, loadRecording, sendRecordings } from './motionbox.js';

const plan = JSON.parse(document.getElementById('session-plan').textContent);
const KEY = `retrostride.timer.${plan.key}`;
const blocks = plan.blocks;
const ends = [];
let total = 0;
for (const b of blocks) { total += b.seconds * 1000; ends.push(total); }
const startOf = (i) => (i === 0 ? 0 : ends[i - 1]);
// A spoken heads-up this long before a change of direction, so nobody turns around unprepared.
const HEADS_UP_MS = 10000;

const $ = (id) => document.getElementById(id);
const ui = {
  root: $('timer'), word: $('timer-direction-word'), arrow: $('timer-arrow'), label: $('timer-label'),
  clock: $('timer-clock'), speed: $('timer-speed'), next: $('timer-next'), bar: $('timer-bar-fill'),
  announce: $('timer-announce'), status: $('timer-status'), count: $('timer-block-count'),
  start: $('timer-start'), pause: $('timer-pause'), resume: $('timer-resume'), skip: $('timer-skip'),
  stop: $('timer-stop'), finish: $('timer-finish'), form: $('finish-form'), error: $('finish-error'),
  precautions: $('timer-precautions'), paused: $('timer-paused'), undo: $('timer-undo'),
  startPain: $('start-pain'), walked: $('finish-walked'),
};

// `skips` sums the skipped milliseconds per block; `skipLog` keeps each skip in order so the
// last one can be undone. `painBefore` is asked before the start: null means not given.
const fresh = () => ({ status: 'ready', startedAt: null, pausedAt: null, pausedMs: 0, skips: {}, skipLog: [], cued: -1, headsUp: -1, endedAt: null, endedBySkip: false, painBefore: null });
let state = { ...fresh(), ...(load() || {}) };

function load() {
  try { return JSON.parse(localStorage.getItem(KEY)); } catch { return null; }
}
function save() { localStorage.setItem(KEY, JSON.stringify(state)); }

// Milliseconds of the session covered so far (skipped time counts as covered).
function position() {
  if (state.startedAt === null) return 0;
  const until = state.status === 'paused' ? state.pausedAt : state.status === 'finished' ? state.endedAt : Date.now();
  const skipped = Object.values(state.skips).reduce((a, b) => a + b, 0);
  return Math.min(total, Math.max(0, until - state.startedAt - state.pausedMs + skipped));
}
function blockAt(ms) {
  const i = ends.findIndex((e) => ms < e);
  return i === -1 ? blocks.length : i;
}

function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
function spokenLength(seconds) {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  const parts = [];
  if (m) parts.push(`${m} minute${m === 1 ? '' : 's'}`);
  if (s) parts.push(`${s} seconds`);
  return parts.join(' ') || '0 seconds';
}

// --- cues: a beep, a spoken phrase and a vibration --------------------------------------------
let audio = null;
function unlockAudio() {
  try {
    audio = audio || new AudioContext();
    if (audio.state === 'suspended') audio.resume();
  } catch { audio = null; }
}
function beep(times) {
  if (!audio) return;
  for (let i = 0; i < times; i += 1) {
    try {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.25;
      osc.connect(gain).connect(audio.destination);
      const at = audio.currentTime + i * 0.3;
      osc.start(at);
      osc.stop(at + 0.18);
    } catch { /* no sound on this device */ }
  }
}
function say(text) {
  ui.announce.textContent = text;
  if (!('speechSynthesis' in window)) return;
  try {
    speechSynthesis.cancel();
    speechSynthesis.speak(new SpeechSynthesisUtterance(text));
  } catch { /* no voice on this device */ }
}
function vibrate(pattern) {
  try { navigator.vibrate?.(pattern); } catch { /* no vibration motor */ }
}

function cueBlock(i) {
  if (i >= blocks.length) {
    beep(3); vibrate([400, 150, 400, 150, 400]);
    say('Session complete. Well done. Walk slowly for a moment, then tell us how it went.');
    return;
  }
  const b = blocks[i];
  const turned = i > 0 && blocks[i - 1].direction !== b.direction;
  const what = b.direction === 'backward' ? 'walk backward' : 'walk forward';
  const lead = i === 0 ? `${b.label}: ${what}` : turned ? `Turn: ${what}` : `${b.label}: keep going, ${what}`;
  beep(turned ? 2 : 1);
  vibrate(turned ? [300, 150, 300] : [200]);
  say(`${lead} for ${spokenLength(b.seconds)}.`);
}

// --- motion recording (optional): samples in session time, so blocks label them exactly ---
const motion = { on: false, samples: [], max: 1_000_000 };
// Where the phone is (a gait placement name), remembered for the next session: the server reads
// the direction only where the motion shows it.
const PLACEMENT_KEY = 'retrostride.motion.placement';
const placementBox = document.getElementById('motion-placement');
if (placementBox) {
  const remembered = localStorage.getItem(PLACEMENT_KEY);
  if ([...placementBox.options].some((o) => o.value === remembered)) placementBox.value = remembered;
  placementBox.addEventListener('change', () => localStorage.setItem(PLACEMENT_KEY, placementBox.value));
}
function onMotion(event) {
  if (state.status !== 'running' || motion.samples.length >= motion.max) return;
  const a = event.accelerationIncludingGravity;
  if (!a || a.x === null) return;
  const r = event.rotationRate;
  motion.samples.push([position() / 1000, a.x, a.y, a.z, r ? r.beta : null, r ? r.gamma : null, r ? r.alpha : null]);
}
// Starts listening (asking first where the browser wants it); `resuming` after a reload, when
// the session had recording on whatever the checkbox now says.
async function startMotion(resuming = false) {
  const box = document.getElementById('record-motion');
  if (!resuming && (!box || !box.checked)) return;
  if (!('DeviceMotionEvent' in window) || motion.on) return;
  try {
    // iOS asks the person first (from a tap); elsewhere the events simply arrive.
    if (typeof DeviceMotionEvent.requestPermission === 'function') {
      const answer = await DeviceMotionEvent.requestPermission();
      if (answer !== 'granted') { ui.status.textContent = 'Motion recording was not allowed: the session goes on without it.'; return; }
    }
    motion.on = true;
    state.motion = true;
    // Said when recording was switched on; a reload keeps what was said then.
    if (!resuming && placementBox) state.placement = placementBox.value;
    save();
    window.addEventListener('devicemotion', onMotion);
  } catch {
    ui.status.textContent = 'Motion recording is not available on this device.';
  }
}
const motionId = () => `${plan.key}-${state.startedAt}`;
// Every 15 s of a recorded session, what was recorded so far is kept on the device.
const KEEP_EVERY_MS = 15000;
let keptAt = 0;
function keepSoFar(now = false) {
  if (!motion.on || (!now && Date.now() - keptAt < KEEP_EVERY_MS)) return;
  keptAt = Date.now();
  const so = recording(motionId());
  if (so) keepRecording({ ...so, partial: true });
}
// After a reload: the samples kept so far, and recording goes on (on iOS after the next tap).
async function resumeMotion() {
  const kept = await loadRecording(motionId());
  if (kept?.samples?.length) motion.samples = kept.samples.concat(motion.samples);
  if (typeof DeviceMotionEvent?.requestPermission === 'function') {
    document.addEventListener('click', () => startMotion(true), { once: true });
  } else {
    startMotion(true);
  }
}

// The recording with its blocks' times and planned directions: the labels of the export.
function recording(id) {
  if (!motion.on || motion.samples.length < 100) return null;
  const labelled = blocks.map((b, i) => ({ start_s: startOf(i) / 1000, end_s: ends[i] / 1000, direction: b.direction }));
  const where = state.placement ? { placement: state.placement } : {};
  return { id, startedAt: state.startedAt, samples: motion.samples, blocks: labelled, ...where };
}

// --- wake lock --------------------------------------------------------------------------------
let wakeLock = null;
async function holdScreen() {
  try { wakeLock = (await navigator.wakeLock?.request('screen')) || null; } catch { wakeLock = null; }
}
function releaseScreen() {
  try { wakeLock?.release(); } catch { /* already released */ }
  wakeLock = null;
}
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && state.status === 'running') holdScreen();
});

// --- the loop ---------------------------------------------------------------------------------
function render() {
  const ms = position();
  const i = Math.min(blockAt(ms), blocks.length - 1);
  const b = blocks[i];
  const n = blocks[i + 1];
  ui.root.dataset.state = state.status;
  ui.root.dataset.direction = b.direction;
  const finished = state.status === 'finished';
  ui.paused.hidden = state.status !== 'paused';
  document.title = `${state.status === 'paused' ? 'Paused · ' : ''}Session ${plan.number}`;
  ui.word.textContent = finished ? 'DONE' : b.direction.toUpperCase();
  ui.arrow.setAttribute('d', b.direction === 'backward' ? 'M12 4v14m0 0-6-6m6 6 6-6' : 'M12 20V6m0 0-6 6m6-6 6 6');
  ui.label.textContent = finished ? 'Session complete' : `${b.label} · block ${i + 1} of ${blocks.length}`;
  ui.clock.textContent = state.status === 'finished' ? '0:00' : clock(ends[i] - ms);
  ui.speed.textContent = b.speed ? `at ${b.speed}` : '';
  ui.next.textContent = n ? `Next: ${n.label}${n.label.toLowerCase() === n.direction ? '' : ` (${n.direction})`}, ${n.length}` : 'Last block';
  ui.bar.style.width = `${(100 * ms) / total}%`;
  ui.count.textContent = finished ? `Session ${plan.number}` : `Session ${plan.number} · ${clock(total - ms)} left`;
  const running = state.status === 'running';
  const paused = state.status === 'paused';
  ui.start.hidden = state.status !== 'ready';
  ui.pause.hidden = !running;
  ui.resume.hidden = !paused;
  ui.skip.hidden = !(running || paused);
  ui.stop.hidden = !(running || paused);
  ui.undo.hidden = !(state.skipLog.length && (running || paused || (finished && state.endedBySkip)));
  if (ui.precautions) ui.precautions.hidden = state.status !== 'ready';
}

function tick() {
  if (state.status !== 'running') return;
  keepSoFar();
  const ms = position();
  const i = blockAt(ms);
  if (i > state.cued) {
    state.cued = i;
    save();
    cueBlock(i);
  }
  const next = blocks[i + 1];
  if (i < blocks.length && next && next.direction !== blocks[i].direction && ends[i] - ms <= HEADS_UP_MS && state.headsUp < i) {
    state.headsUp = i;
    save();
    say(`In ten seconds, turn and walk ${next.direction}.`);
  }
  if (i >= blocks.length) { finish(); return; }
  render();
}

// Pain before, asked on the start screen: empty is "not given" (null), never 0.
function startPain() {
  const text = ui.startPain.value.trim();
  const v = Number(text);
  const error = $('start-pain-error');
  const ok = text === '' || (Number.isInteger(v) && v >= 0 && v <= 10);
  error.textContent = ok ? '' : 'Enter a whole number from 0 to 10, or leave it empty.';
  error.hidden = ok;
  if (ok) ui.startPain.removeAttribute('aria-invalid'); else ui.startPain.setAttribute('aria-invalid', 'true');
  return ok ? { value: text === '' ? null : v } : null;
}

function start() {
  const pain = startPain();
  if (!pain) { ui.startPain.focus(); return; }
  unlockAudio();
  state = { ...fresh(), status: 'running', startedAt: Date.now(), painBefore: pain.value };
  save();
  startMotion();
  holdScreen();
  tick();
  ui.pause.focus();
}
function pause() {
  state.status = 'paused'; state.pausedAt = Date.now(); save();
  releaseScreen(); say('Paused.'); render(); ui.resume.focus();
}
function resume() {
  unlockAudio();
  state.pausedMs += Date.now() - state.pausedAt; state.pausedAt = null; state.status = 'running'; save();
  holdScreen(); say('Resumed.'); tick(); ui.pause.focus();
}
function skip() {
  const ms = position();
  const i = blockAt(ms);
  if (i >= blocks.length) return;
  const skipped = ends[i] - ms;
  state.skips[i] = (state.skips[i] || 0) + skipped;
  state.skipLog.push({ block: i, ms: skipped });
  ui.status.textContent = `Skipped ${blocks[i].label.toLowerCase()} (block ${i + 1}): its ${clock(skipped)} left is not counted as walked.`;
  state.endedBySkip = ends[i] >= total;
  save();
  if (state.status === 'running') tick(); else render();
  if (state.status !== 'finished') ui.undo.focus();
}
// Undoes the last skip: the session goes back to where that block was left. A session that the
// skip ended comes back paused.
function undoSkip() {
  const last = state.skipLog.pop();
  if (!last) return;
  state.skips[last.block] = Math.max(0, (state.skips[last.block] || 0) - last.ms);
  if (state.status === 'finished') {
    state.status = 'paused'; state.pausedAt = state.endedAt; state.endedAt = null;
    ui.finish.hidden = true; ui.root.classList.remove('finished');
  }
  state.endedBySkip = false;
  const i = blockAt(position());
  state.cued = i;
  state.headsUp = Math.min(state.headsUp, i - 1);
  save();
  ui.status.textContent = `Skip undone: back to ${blocks[i].label.toLowerCase()} (block ${i + 1}).`;
  say(`Skip undone. ${blocks[i].label}: walk ${blocks[i].direction}.`);
  render();
  (state.status === 'paused' ? ui.resume : ui.pause).focus();
}
function finish() {
  if (state.status === 'finished') return;
  const ms = position();
  if (state.status === 'running' || state.status === 'paused') {
    if (state.status === 'paused') state.pausedMs += Date.now() - state.pausedAt;
    state.endedAt = Date.now();
  }
  state.status = 'finished';
  if (ms >= total && state.cued < blocks.length) { state.cued = blocks.length; cueBlock(blocks.length); }
  save();
  keepSoFar(true);
  releaseScreen();
  render();
  showForm();
}
function stop() {
  if (!window.confirm('Stop the session here and log what you have done?')) return;
  finish();
}

// What was walked against what was planned, backward: skipped time is not walked.
function walkedSummary() {
  const planned = blocks.reduce((a, b) => a + (b.direction === 'backward' ? b.seconds : 0), 0);
  const walked = walkedBlocks().reduce((a, b) => a + (b.direction === 'backward' ? b.seconds : 0), 0);
  const skipped = Object.values(state.skips).filter((v) => v > 0).length;
  const share = planned ? Math.min(100, Math.round((100 * walked) / planned)) : 100;
  const skips = skipped ? ` ${skipped} block${skipped === 1 ? '' : 's'} skipped: skipped time is not counted.` : '';
  return `You walked ${clock(walked * 1000)} of ${clock(planned * 1000)} backward (${share}% of the plan).${skips}`;
}

function showForm() {
  ui.finish.hidden = false;
  ui.root.classList.add('finished');
  ui.walked.textContent = walkedSummary();
  const before = $('pain_before');
  if (before && before.value === '' && state.painBefore !== null && state.painBefore !== undefined) before.value = String(state.painBefore);
  const heading = document.getElementById('finish-heading');
  heading?.focus();
}

// What was walked, block by block (skipped time is not walked).
function walkedBlocks() {
  const ms = position();
  const out = [];
  blocks.forEach((b, i) => {
    const covered = Math.min(ms, ends[i]) - startOf(i);
    const walked = Math.round((covered - (state.skips[i] || 0)) / 1000);
    if (walked > 0) {
      const block = { direction: b.direction, seconds: walked };
      if (b.speed_mps) block.speed_mps = b.speed_mps;
      if (b.grade_percent) block.grade_percent = b.grade_percent;
      out.push(block);
    }
  });
  return out;
}

function localIso(ms) {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const pad = (v) => String(Math.floor(Math.abs(v))).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

function fieldError(name, message) {
  const el = document.getElementById(`${name}-error`);
  const input = document.getElementById(name);
  if (el) { el.textContent = message; el.hidden = !message; }
  if (input) {
    // The error joins whatever hint the field already points to.
    const others = (input.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== `${name}-error`);
    const ids = message ? [...others, `${name}-error`] : others;
    if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
    if (ids.length) input.setAttribute('aria-describedby', ids.join(' ')); else input.removeAttribute('aria-describedby');
  }
  return !message;
}
// A whole number in range; `optional` fields may be left empty, which gives null ("not given").
// Answers { value } or null when the text is not acceptable.
function whole(name, low, high, optional = false) {
  const text = document.getElementById(name).value.trim();
  const v = Number(text);
  if (optional && text === '') { fieldError(name, ''); return { value: null }; }
  const ok = text !== '' && Number.isInteger(v) && v >= low && v <= high;
  fieldError(name, ok ? '' : `Enter a whole number from ${low} to ${high}${optional ? ', or leave it empty' : ''}.`);
  return ok ? { value: v } : null;
}

async function submit(event) {
  event.preventDefault();
  const painBefore = whole('pain_before', 0, 10, true);
  const painAfter = whole('pain_after', 0, 10, true);
  const nearFalls = whole('near_falls', 0, 50);
  const falls = whole('falls', 0, 20);
  // Effort is never chosen for the walker: an unanswered effort would be logged as if said.
  const rpe = whole('rpe', 6, 20);
  const walked = walkedBlocks();
  if (rpe === null || painBefore === null || painAfter === null || nearFalls === null || falls === null) return;
  if (!walked.length) {
    ui.error.hidden = false;
    ui.error.textContent = 'Nothing was walked yet, so there is nothing to log.';
    return;
  }
  const body = {
    started_at: localIso(state.startedAt),
    setting: plan.setting,
    blocks: walked,
    rpe: rpe.value,
    pain_before: painBefore.value,
    pain_after: painAfter.value,
    near_falls: nearFalls.value,
    falls: falls.value,
    felt_safe: document.getElementById('felt_safe').checked,
    notes: document.getElementById('notes').value.trim(),
    source: 'timer',
  };
  const id = `${plan.key}-${state.startedAt}`;
  enqueue({ id, body });
  window.removeEventListener('devicemotion', onMotion);
  // The recording waits on the device like the log, and is sent once the log is.
  const recorded = recording(id);
  const kept = recorded ? await keepRecording(recorded) : false;
  if (recorded && !kept) ui.status.textContent = 'This browser cannot keep the motion recording: it is sent only if the log goes through now.';
  localStorage.removeItem(KEY);
  document.getElementById('finish-save').disabled = true;
  const counts = await flush();
  if (counts.sent && !counts.waiting && !counts.rejected) {
    const stored = kept ? await sendRecordings() : await sendUnkept(recorded, counts.logged[id]);
    window.location.assign(stored.includes(id) ? `/history/${counts.logged[id]}?motion=1` : '/history?logged=1');
    return;
  }
  ui.error.hidden = false;
  // Waiting for the network is not an error: only a refusal is shown as one.
  ui.error.className = counts.rejected ? 'error' : 'notice';
  ui.error.textContent = describe(counts) || 'Saved on this device.';
  keepSending((later) => {
    ui.error.className = later.rejected ? 'error' : 'notice';
    if (later.sent) sendRecordings();
    if (later.sent && !later.waiting) {
      ui.error.textContent = 'Sent. ';
      const link = document.createElement('a');
      link.href = '/history?logged=1';
      link.textContent = 'See it in your history';
      ui.error.append(link);
    } else {
      ui.error.textContent = describe(later);
    }
  });
}

// Where IndexedDB is missing (some private modes), the recording goes straight after the log.
async function sendUnkept(recorded, session) {
  if (!recorded || !session) return [];
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
  try {
    const r = await fetch(`/api/v1/sessions/${session}/motion`, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ samples: recorded.samples, blocks: recorded.blocks, placement: recorded.placement }),
    });
    return r.ok ? [recorded.id] : [];
  } catch {
    return [];
  }
}

ui.start.addEventListener('click', start);
ui.pause.addEventListener('click', pause);
ui.resume.addEventListener('click', resume);
ui.skip.addEventListener('click', skip);
ui.stop.addEventListener('click', stop);
ui.undo.addEventListener('click', undoSkip);
ui.form.addEventListener('submit', submit);

// Picking up where a reload left off.
if (state.status === 'running' || state.status === 'paused') {
  ui.status.textContent = state.motion
    ? 'Resumed after a reload. Tap anywhere to turn the sound and the motion recording back on.'
    : 'Resumed after a reload. Tap anywhere to turn the sound back on.';
  document.addEventListener('click', unlockAudio, { once: true });
  if (state.status === 'running') holdScreen();
  if (state.motion) resumeMotion();
}
render();
if (state.status === 'finished') {
  showForm();
  // Reloaded on the form: the recording kept at the end goes with the log.
  if (state.motion) {
    loadRecording(motionId()).then((kept) => {
      if (kept?.samples?.length) { motion.samples = kept.samples; motion.on = true; }
    });
  }
}
setInterval(tick, 250);
