// The outbox: sessions logged in the browser wait here (localStorage) until the server has
// acknowledged them with 201, so a dropped connection or a closed tab loses nothing.
const KEY = 'retrostride.outbox';
// Which session each sent entry became (the last 50), for what follows it (a motion recording).
const LOGGED = 'retrostride.logged';
let flushing = false;

export function loggedSession(entryId) {
  try {
    return JSON.parse(localStorage.getItem(LOGGED) || '{}')[entryId] || null;
  } catch {
    return null;
  }
}

function remember(entryId, session) {
  let map = {};
  try { map = JSON.parse(localStorage.getItem(LOGGED) || '{}') || {}; } catch { map = {}; }
  map[entryId] = session;
  const kept = Object.entries(map).slice(-50);
  localStorage.setItem(LOGGED, JSON.stringify(Object.fromEntries(kept)));
}

export function pending() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function save(list) {
  localStorage.setItem(KEY, JSON.stringify(list));
}

// Adds (or replaces, by id) a session to send.
export function enqueue(entry) {
  const list = pending().filter((e) => e.id !== entry.id);
  list.push({ ...entry, queuedAt: Date.now() });
  save(list);
}

function csrf() {
  return document.querySelector('meta[name="csrf-token"]')?.content || '';
}

async function sendOne(entry) {
  let response;
  try {
    response = await fetch('/api/v1/sessions', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() },
      // The entry's id is its client key: a retry after a lost answer finds the first log.
      body: JSON.stringify({ ...entry.body, client_key: entry.id }),
    });
  } catch {
    return { outcome: 'offline' };
  }
  if (response.status === 201 || response.status === 200) {
    const session = await response.json().catch(() => null);
    return { outcome: 'sent', session: session?.id };
  }
  let detail = '';
  try {
    const problem = await response.json();
    detail = problem.detail || '';
    if (problem.errors?.length) detail += ': ' + problem.errors.map((e) => `${e.field} ${e.message}`).join('; ');
  } catch { /* not JSON */ }
  if (response.status === 422 || response.status === 400) return { outcome: 'rejected', detail };
  if (response.status === 401 || response.status === 403) return { outcome: 'signed-out', detail };
  return { outcome: 'server', detail };
}

// Sends what is waiting, oldest first. Returns counts by outcome.
export async function flush() {
  // `logged` maps each sent entry's id to the id of the session the server made.
  const counts = { sent: 0, waiting: 0, rejected: 0, signedOut: 0, logged: {} };
  if (flushing) return { ...counts, waiting: pending().length };
  flushing = true;
  try {
    for (const entry of pending()) {
      if (entry.rejected) { counts.rejected += 1; continue; }
      const result = await sendOne(entry);
      const list = pending();
      if (result.outcome === 'sent') {
        save(list.filter((e) => e.id !== entry.id));
        counts.sent += 1;
        counts.logged[entry.id] = result.session;
        if (result.session) remember(entry.id, result.session);
      } else if (result.outcome === 'rejected') {
        save(list.map((e) => (e.id === entry.id ? { ...e, rejected: result.detail || 'refused' } : e)));
        counts.rejected += 1;
      } else {
        if (result.outcome === 'signed-out') counts.signedOut += 1;
        counts.waiting += 1;
        if (result.outcome === 'offline') break;
      }
    }
  } finally {
    flushing = false;
  }
  return counts;
}

// Tells the person what is waiting, on any page.
export function describe(counts) {
  if (counts.signedOut) return `${counts.waiting} session(s) are saved on this device: sign in again to send them.`;
  if (counts.waiting) return `${counts.waiting} session(s) are saved on this device and will be sent when the connection returns.`;
  if (counts.rejected) return `${counts.rejected} session(s) saved on this device were refused by the server. Log them by hand from History.`;
  return '';
}

let timer = null;
// Keeps trying while something waits: on reconnect, and every 15 s.
export function keepSending(onChange) {
  const attempt = async () => {
    if (!pending().some((e) => !e.rejected)) return;
    onChange(await flush());
  };
  window.addEventListener('online', attempt);
  if (!timer) timer = setInterval(attempt, 15000);
  attempt();
}
