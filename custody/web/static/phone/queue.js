/* The phone's scans, kept in IndexedDB: the outbox, and today's list with what became of each.
 * A scan is stored before its first upload, with the idempotency key made when it was taken, so
 * a retry after a lost answer can never record it twice. Its state is 'queued' until the server
 * answers; then 'sent' (the photo is dropped, the answer kept for today's list) or 'refused'
 * (kept with its photo and the reason until the collector resends or discards it). */
"use strict";
(function () {
  const DB_NAME = "custody-phone", STORE = "outbox";

  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const store = req.result.createObjectStore(STORE, { keyPath: "key" });
        store.createIndex("user", "user");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  let dbPromise = null;
  function db() { return (dbPromise = dbPromise || openDb()); }

  async function run(mode, work) {
    const conn = await db();
    return new Promise((resolve, reject) => {
      const tx = conn.transaction(STORE, mode);
      const result = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("aborted"));
    });
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));  // works without HTTPS too
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const isQueued = (item) => !item.state || item.state === "queued";
  const add = (item) => run("readwrite", (s) => s.put(item));
  const remove = (key) => run("readwrite", (s) => s.delete(key));
  /* Every scan of a user kept on the phone, oldest first. */
  const all = async (user) => {
    const items = await run("readonly", (s) => s.index("user").getAll(user));
    return items.sort((a, b) => a.created - b.created);
  };
  /* The scans still waiting to be sent. */
  const list = async (user) => (await all(user)).filter(isQueued);
  const count = async (user) => (await list(user)).length;
  /* Forget scans sent before ``since`` (ms): today's list keeps only today's. */
  const prune = async (user, since) => {
    for (const item of await all(user)) {
      if (item.state === "sent" && item.created < since) await remove(item.key);
    }
  };

  /* Send one scan, with the phone's device token when it has one (else the session and its
   * CSRF token). Returns {kind, status, body}: kind is 'done' (the server answered for
   * good: recorded, or refused for a reason a retry cannot fix), 'retry' (no signal, 5xx,
   * 408, 429: keep it), or 'auth' (signed out, revoked or stale CSRF token: keep it). */
  /* How long an upload may take before it is given up (and retried with the same key): a
   * minute, plus the photo at 2 kB/s, so a weak signal that is slowly sending a photo is never
   * cut off and made to start again, over and over. */
  const patience = (photo) => 60000 + (photo ? photo.size : 0) / 2;

  async function send(item, auth, scanUrl, timeoutMs = patience(item.photo)) {
    const form = new FormData();
    form.append("action", item.action);
    for (const [name, value] of Object.entries(item.fields)) {
      if (value !== null && value !== undefined && value !== "") form.append(name, value);
    }
    form.append("photo", item.photo, "photo.jpg");
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let response;
    try {
      response = await fetch(scanUrl, {
        method: "POST", body: form, credentials: "same-origin", signal: abort.signal,
        headers: { "Idempotency-Key": item.key, Accept: "application/json",
                   ...(auth.token ? { Authorization: `Bearer ${auth.token}` } : { "X-CSRF-Token": auth.csrf }) },
      });
    } catch (err) {
      return { kind: "retry", status: 0, body: null };
    } finally {
      clearTimeout(timer);
    }
    let body = null;
    try { body = await response.json(); } catch (err) { body = null; }
    const status = response.status;
    if (status >= 500 || status === 408 || status === 429) return { kind: "retry", status, body };
    const code = body && body.error && body.error.code;
    if (status === 401 || code === "csrf_failed") return { kind: "auth", status, body };
    return { kind: "done", status, body };
  }

  window.CustodyQueue = { uuid, add, remove, all, list, count, prune, send };
})();
