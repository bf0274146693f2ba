// Small enhancements every page shares; every page works without them.
import { keepSending, describe, pending } from './outbox.js';
import { sendRecordings, waitingRecordings } from './motionbox.js';
import './reminders.js';

// Forms that take a local time also send the browser's UTC offset (minutes east of UTC).
for (const input of document.querySelectorAll('input[data-utc-offset]')) {
  input.value = String(-new Date().getTimezoneOffset());
}

for (const button of document.querySelectorAll('[data-print]')) {
  button.addEventListener('click', () => window.print());
}

// Copy buttons: the text of the element the button names, to the clipboard; the button says
// whether it worked (the text stays selectable for browsers without clipboard access).
for (const button of document.querySelectorAll('[data-copy]')) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    const source = document.querySelector(button.dataset.copy);
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = 'Copied';
    } catch {
      window.getSelection()?.selectAllChildren(source);
      button.textContent = 'Selected: copy it with your keyboard or menu';
    }
  });
}

// Sessions logged while offline are sent from whichever page is open when the network returns.
const status = document.getElementById('outbox-status');
const signedIn = Boolean(document.querySelector('meta[name="csrf-token"]')?.content);
if (status && signedIn && pending().length) {
  keepSending((counts) => {
    const text = describe(counts);
    status.hidden = !text;
    status.textContent = text;
    if (counts.sent) sendRecordings();
  });
}
// Motion recordings wait for their session's log, then for the network.
if (signedIn && !document.getElementById('session-plan')) {
  waitingRecordings().then((ids) => {
    if (!ids.length) return;
    sendRecordings();
    window.addEventListener('online', () => sendRecordings());
  });
}

// The handout's Print button: shown only where scripts run (the page prints from the browser's
// menu too).
for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
