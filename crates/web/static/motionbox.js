// Motion recorded during a guided session waits here until the server has stored it, so a
// closed tab or a dropped network loses nothing. IndexedDB, because a session's samples (tens of
// megabytes as JSON for an hour) do not fit in localStorage. A recording is sent once the
// outbox knows which session its log became (`loggedSession`); the server replaces a session's
// recording on a repeat, so a retry after a lost answer stores it once.
import { loggedSession } from './outbox.js';

const DB = 'retrostride';
const STORE = 'motion';

function open() {
  return new Promise((resolve, reject) => {
    if (!('indexedDB' in window)) { reject(new Error('no IndexedDB')); return; }
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request?.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

// Keeps a recording ({ id: the outbox entry's id, startedAt, samples, blocks, placement, partial }) until it
// is sent. Writes go one after another, so that a snapshot taken during the session never lands
// after the final one. Resolves once written; false when the browser cannot keep it.
let writes = Promise.resolve();
export function keepRecording(recording) {
  const write = writes.then(() => run('readwrite', (store) => store.put(recording))).then(() => true, () => false);
  writes = write;
  return write;
}

// A recording kept so far (during a session, so that a reload does not lose it), or null.
export async function loadRecording(id) {
  try {
    return (await run('readonly', (store) => store.get(id))) || null;
  } catch {
    return null;
  }
}

export async function waitingRecordings() {
  try {
    return (await run('readonly', (store) => store.getAllKeys())) || [];
  } catch {
    return [];
  }
}

function csrf() {
  return document.querySelector('meta[name="csrf-token"]')?.content || '';
}

// A recording whose session was never logged (abandoned, or refused) is dropped after a week.
const STALE_MS = 7 * 24 * 3600 * 1000;

// Sends every finished recording whose session is logged. Returns the outbox ids that were
// stored.
let sending = false;
export async function sendRecordings() {
  const stored = [];
  if (sending) return stored;
  sending = true;
  try {
    for (const id of await waitingRecordings()) {
      const recording = await run('readonly', (store) => store.get(id));
      if (!recording) continue;
      const session = loggedSession(id);
      if (!session || recording.partial) {
        if (Date.now() - (recording.startedAt || 0) > STALE_MS) await run('readwrite', (store) => store.delete(id));
        continue;
      }
      let response;
      try {
        response = await fetch(`/api/v1/sessions/${session}/motion`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() },
          body: JSON.stringify({ samples: recording.samples, blocks: recording.blocks, placement: recording.placement }),
        });
      } catch {
        break; // offline: the next attempt sends it
      }
      // Stored; or refused for good (the session was deleted, or the recording is unusable).
      if (response.ok || response.status === 404 || response.status === 422 || response.status === 400) {
        await run('readwrite', (store) => store.delete(id));
        if (response.ok) stored.push(id);
      }
    }
  } catch {
    // IndexedDB unavailable: nothing was kept, so nothing waits.
  } finally {
    sending = false;
  }
  return stored;
}
