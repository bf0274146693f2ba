// Reminders on this device: a browser notification when a planned session's time comes while a
// Retrostride page is open. Web push would need a push service on the internet and keys this
// server may not have, so this is the honest part the browser can do alone; the calendar feed's
// alarms are the reliable reminder. Permission is asked only when the person turns this on.

const KEY = 'retrostride.reminders';
const SHOWN = 'retrostride.reminders.shown';
// A session announced up to this long after its time still gets its notification.
const LATE_MS = 10 * 60 * 1000;
const supported = 'Notification' in window;
const signedIn = Boolean(document.querySelector('meta[name="csrf-token"]')?.content);

function wanted() {
  return localStorage.getItem(KEY) === 'on';
}

function shownKeys() {
  try {
    const list = JSON.parse(localStorage.getItem(SHOWN) || '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function markShown(key) {
  localStorage.setItem(SHOWN, JSON.stringify([...shownKeys(), key].slice(-50)));
}

function notify(session) {
  if (shownKeys().includes(session.key)) return;
  markShown(session.key);
  const note = new Notification('Retrostride', { body: session.title, tag: session.key, icon: '/static/icon.svg' });
  note.addEventListener('click', () => { window.focus(); location.href = '/today'; });
}

async function schedule() {
  if (!supported || !signedIn || !wanted() || Notification.permission !== 'granted') return;
  let list;
  try {
    const answer = await fetch('/plan/reminders.json', { credentials: 'same-origin' });
    if (!answer.ok) return;
    list = (await answer.json()).sessions || [];
  } catch {
    return;
  }
  const now = Date.now();
  for (const session of list) {
    // "2026-12-08T07:30" without a zone is read as this device's local time.
    const at = new Date(session.at).getTime();
    if (Number.isNaN(at)) continue;
    const wait = at - now;
    if (wait <= 0 && wait > -LATE_MS) notify(session);
    else if (wait > 0 && wait < 24 * 60 * 60 * 1000) setTimeout(() => notify(session), wait);
  }
}

function say(status, text) {
  if (status) status.textContent = text;
}

// The settings block: the switch, and what the browser allows.
const toggle = document.getElementById('reminders-toggle');
const status = document.getElementById('reminders-status');
if (toggle) {
  if (!supported) {
    say(status, 'This browser cannot show notifications. Use the calendar link above: its reminders come from your calendar app.');
  } else {
    toggle.disabled = false;
    const describe = () => {
      if (Notification.permission === 'denied') {
        toggle.checked = false;
        say(status, 'Notifications are blocked for this site in your browser settings. Allow them there, or use the calendar link above.');
      } else if (wanted() && Notification.permission === 'granted') {
        toggle.checked = true;
        say(status, 'On: this browser will notify you at a session\u2019s time while a Retrostride page is open.');
      } else {
        toggle.checked = false;
        say(status, 'Off. Turning it on asks your browser for permission to notify you.');
      }
    };
    describe();
    toggle.addEventListener('change', async () => {
      if (!toggle.checked) {
        localStorage.setItem(KEY, 'off');
        describe();
        return;
      }
      const answer = await Notification.requestPermission();
      localStorage.setItem(KEY, answer === 'granted' ? 'on' : 'off');
      describe();
      schedule();
    });
  }
}

schedule();
