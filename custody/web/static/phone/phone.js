/* The phone scan page: choose a task, photograph, send now or queue for later, show the answer.
 * Refused scans stay on the phone (today.js lists them and lets the collector fix, retake,
 * resend or discard them). Every word it shows comes from the server in the page's language
 * (config.text, config.errors, config.flags, config.actions): the script itself holds none. */
"use strict";
(function () {
  const Q = window.CustodyQueue;
  const config = JSON.parse(document.getElementById("phone-config").textContent);
  const $ = (id) => document.getElementById(id);
  const T = config.text;
  const { say, line, errorText, assetLabel, seenText, handoverLines, isRepeat } = window.CustodyAnswers(config);
  const { shrink, gpsFields, MAX_SIDE } = window.CustodyCapture;
  const SCREENS = ["form-screen", "busy-screen", "result-screen", "today-screen", "fix-screen"];
  let csrf = document.querySelector('meta[name="csrf-token"]').content;
  const WAIT_MS = 8000;  // how long the busy screen waits for the server before saying "saved"
  let flushing = null, backoffMs = 2000, retryTimer = null, shown = null;
  const outcomes = new Map();

  /* This phone's device token, if it was enrolled for the person signed in on this page. */
  function deviceToken() {
    try {
      const kept = JSON.parse(localStorage.getItem(config.storageKey) || "null");
      return kept && kept.user === config.user ? kept.token : null;
    } catch (err) { return null; }
  }
  const auth = () => ({ token: deviceToken(), csrf });

  /* --- screens --------------------------------------------------------------------- */
  function show(screen) {
    for (const id of SCREENS) $(id).hidden = id !== screen;
    window.scrollTo(0, 0);
  }
  function currentTask() {
    return config.tasks[document.querySelector('input[name="task"]:checked').value];
  }
  function describeTask() {
    const t = currentTask();
    $("hint").textContent = t.hint;
    $("weight-row").hidden = t.weight === "none";
    $("weight-need").textContent = t.weight === "required" ? T.weightRequired : T.weightOptional;
    $("weight").required = t.weight === "required";
    $("category-row").hidden = !t.category;
    $("note-row").hidden = !t.note;
  }
  async function takeScan(file) {
    const task = currentTask();
    const weight = $("weight").value.trim();
    const fields = { client_time: new Date().toISOString(),
                     weight_kg: task.weight === "none" ? "" : weight,
                     category: task.category ? $("category").value : "",
                     note: task.note ? $("note").value.trim() : "", ...gpsFields() };
    const photo = await shrink(file);
    if (photo.size > config.maxPhotoBytes) throw new RangeError(T.tooLarge);
    const item = { key: Q.uuid(), user: config.user, action: task.action, task: task.id,
                   fields, photo, created: Date.now(), state: "queued" };
    await Q.add(item);
    return item;
  }

  /* --- sending the outbox ------------------------------------------------------------ */
  async function refreshCsrf() {
    try {
      const r = await fetch(config.sessionUrl, { credentials: "same-origin", cache: "no-store" });
      if (r.ok) { csrf = (await r.json()).csrf_token; return true; }
    } catch (err) { /* still no signal */ }
    return false;
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    const wait = backoffMs * (0.75 + Math.random() / 2);
    backoffMs = Math.min(backoffMs * 2, 60000);
    retryTimer = setTimeout(flush, wait);
  }

  function flush() {
    flushing = flushing || drain().finally(() => { flushing = null; updateCount(); });
    return flushing;
  }

  /* The server's answer for good: kept for today's list (a refused scan keeps its photo). */
  async function settle(item, out) {
    const body = out.body || {};
    item.answer = { status: out.status, at: Date.now(),
                    body: out.status < 400 ? { handovers: body.handovers || [], flags: body.flags || [],
                                               repeats: body.repeats || [], assets: body.assets || {} } : body };
    item.state = out.status < 400 ? "sent" : "refused";
    if (item.state === "sent") item.photo = null;  // the server has it now; free the phone
    await Q.add(item);
  }

  async function drain() {
    let refreshed = false;
    for (const item of await Q.list(config.user)) {
      let out = await Q.send(item, auth(), config.scanUrl);
      if (out.kind === "auth" && !refreshed && !deviceToken()) {
        refreshed = true;
        if (await refreshCsrf()) out = await Q.send(item, auth(), config.scanUrl);
      }
      if (out.kind === "retry") { outcomes.set(item.key, out); scheduleRetry(); return; }
      if (out.kind === "auth") {
        outcomes.set(item.key, out);
        $(deviceToken() ? "revoked" : "signin").hidden = false;
        return;
      }
      outcomes.set(item.key, out);
      await settle(item, out);
      updateCount();
      if (shown && shown.key === item.key && !$("result-screen").hidden) showResult(shown, out);
    }
    backoffMs = 2000;
    $("signin").hidden = true;
  }

  async function updateCount() {
    const items = await Q.all(config.user);
    const queued = items.filter((i) => !i.state || i.state === "queued").length;
    const refused = items.filter((i) => i.state === "refused").length;
    $("queue-count").textContent = String(queued);
    $("refused-count").textContent = String(refused);
    $("refused-count-wrap").hidden = refused === 0;
    $("refused-alert").hidden = refused === 0;
    $("refused-alert").textContent = say(refused === 1 && T.refusedAlertOne || T.refusedAlert, { count: refused });
    if (!$("today-screen").hidden) window.CustodyToday.render();
  }

  /* --- the result screen ------------------------------------------------------------- */
  function showResult(item, out) {
    const title = $("result-title"), msg = $("result-message");
    $("result-handovers").replaceChildren();
    $("result-flags").replaceChildren();
    title.replaceChildren(); msg.replaceChildren();
    if ($("result-photo").src) URL.revokeObjectURL($("result-photo").src);
    $("result-photo").src = URL.createObjectURL(item.photo);
    $("result-fix").hidden = true;
    shown = item;
    if (!out || out.kind === "retry" || out.kind === "auth") {
      title.textContent = T.saved;
      // why it waits: a revoked phone or an expired sign-in (the banner above says which) is
      // not "no signal"
      msg.textContent = out && out.kind === "auth" ? "" : navigator.onLine && !out ? T.slowNote : T.savedNote;
      msg.className = "note";
    } else if (out.status === 201 || out.status === 200) {
      const body = out.body, repeat = isRepeat(body);
      // a repeat says so once, in words: its "repeated scan" flag is no news to the user
      const flags = repeat ? body.flags.filter((f) => f !== "repeat_scan" && f !== "reused_photo") : body.flags;
      title.textContent = repeat ? T.repeatTitle : T.recorded;
      const words = body.message && body.message[config.lang];  // the server's, plural right
      msg.textContent = repeat ? config.errors.repeat_scan
        : words || say(flags.length ? T.recordedFlags : T.recordedCount, { count: body.handovers.length });
      msg.className = flags.length ? "alert" : "note";
      handoverLines($("result-handovers"), body, item);
      for (const f of flags) {
        const name = config.flagNames[f], detail = config.flags[f];
        line($("result-flags"), name ? say(T.flagLine, { flag: name, detail }) : f);
      }
    } else {
      title.textContent = T.notRecorded;
      msg.textContent = [errorText(out, item), seenText(out.body)].filter(Boolean).join(" ");
      msg.className = "alert";
      $("result-fix").hidden = false;
    }
    msg.hidden = !msg.textContent;
    show("result-screen");
    performance.mark("result-shown");
  }

  /* Store a new scan (or a fixed one), send it if there is signal, and show the answer. */
  async function sendAndShow(item) {
    await updateCount();
    if (navigator.onLine) {
      const sent = (async () => {
        await flush();
        if (!outcomes.has(item.key)) await flush();  // a flush already under way missed it
      })();
      // A weak signal: the scan is safe on the phone, so the user goes on after a few seconds
      // and the answer replaces the "saved" screen if it is still shown when it comes.
      let timer;
      await Promise.race([sent, new Promise((resolve) => { timer = setTimeout(resolve, WAIT_MS); })]);
      clearTimeout(timer);
    }
    showResult(item, outcomes.get(item.key));
  }

  /* A photo from the camera app or the viewfinder: store it, send it, show the answer. */
  /* One photo at a time: a second tap (or the viewfinder's own shot) while one is being kept
   * and sent is ignored, so a slow network never makes two scans of one handover. */
  let taking = false;
  async function scanPhoto(file) {
    if (taking) return;
    taking = true;
    show("busy-screen");
    try {
      let item;
      try {
        item = await takeScan(file);
      } catch (err) {
        show("form-screen");
        formError(err instanceof RangeError ? err.message
          : err && err.name === "QuotaExceededError" ? T.phoneFull : T.keepFailed);
        return;
      }
      await sendAndShow(item);
    } finally {
      taking = false;
    }
  }

  async function onPhoto() {
    const file = $("photo").files[0];
    $("photo").value = "";
    if (file) await scanPhoto(file);
  }

  /* What must be put right before a photo is taken, or "". */
  function formProblem() {
    const task = currentTask(), weight = $("weight").value.trim();
    if (task.weight === "required" && !(Number(weight) > 0)) return T.needWeight;
    if (weight && !(Number(weight) >= 0)) return T.weightNumber;
    if (Number(weight) > config.maxWeightKg) return T.weightRange;
    return "";
  }

  function formError(text) {
    const box = $("form-error");
    box.textContent = text;
    box.hidden = !text;
  }

  function networkState() {
    const online = navigator.onLine;
    $("net").dataset.state = online ? "online" : "offline";
    $("net").textContent = online ? T.online : T.offline;
  }

  /* --- wiring ------------------------------------------------------------------------ */
  for (const radio of document.querySelectorAll('input[name="task"]')) radio.addEventListener("change", describeTask);
  $("shoot-label").addEventListener("click", (event) => {
    const problem = formProblem();
    if (problem) { event.preventDefault(); if (problem === T.needWeight) $("weight").focus(); }
    formError(problem);
  });
  $("photo").addEventListener("change", onPhoto);
  $("again").addEventListener("click", () => {
    // a category declared for one bag must not stay for the next (a false "category mismatch")
    $("weight").value = ""; $("note").value = ""; $("category").value = "";
    show("form-screen");
    window.CustodyViewfinder.rearm();
  });
  $("result-fix").addEventListener("click", () => window.CustodyToday.openFix(shown.key));
  $("today-button").addEventListener("click", () => window.CustodyToday.open());
  $("refused-alert").addEventListener("click", () => window.CustodyToday.open());
  window.addEventListener("online", () => { networkState(); backoffMs = 2000; flush(); });
  window.addEventListener("offline", networkState);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) flush(); });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(config.swUrl).catch(() => {});
  window.CustodyToday.init({ config, say, show, errorText, seenText, assetLabel, handoverLines, isRepeat,
                             line, shrink, gpsFields, updateCount, sendAndShow });
  window.CustodyViewfinder.init({ config, currentTask, formProblem, formError, scanPhoto, maxSide: MAX_SIDE });
  describeTask();
  networkState();
  window.CustodyCapture.watchGps((text) => { $("gps").textContent = text; }, T, say);
  const midnight = new Date(); midnight.setHours(0, 0, 0, 0);
  Q.prune(config.user, midnight.getTime()).then(updateCount).then(() => { if (navigator.onLine) flush(); });
})();
