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
  /* A message with its %(name)s placeholders filled. */
  const say = (text, values = {}) => text.replace(/%\((\w+)\)s/g, (_, k) => String(values[k] ?? ""));
  const { shrink, gpsFields, MAX_SIDE } = window.CustodyCapture;
  const SCREENS = ["form-screen", "busy-screen", "result-screen", "today-screen", "fix-screen"];
  let csrf = document.querySelector('meta[name="csrf-token"]').content;
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
  function line(list, text, small) {
    const li = document.createElement("li");
    li.textContent = text;
    if (small) {
      const codes = document.createElement("small");
      codes.textContent = small;
      li.append(document.createElement("br"), codes);
    }
    list.append(li);
    return li;
  }
  /* What an error answer means, in the page's language: by its code, else the server's words. */
  function errorText(out, item) {
    const error = (out.body && out.body.error) || {};
    const text = config.errors[error.code] || error.message || say(T.httpError, { status: out.status });
    const missing = error.code === "scan_not_understood" && item ? missingKinds(item.task, out.body) : [];
    return missing.length ? `${text} ${say(T.missingKinds, { kinds: missing.join(T.listJoin) })}` : text;
  }
  /* The kinds of code a task needs that its photo did not show (垃圾桶), by name. */
  function missingKinds(taskId, body) {
    const seen = Object.keys((body && body.assets) || {}).map((id) => id[0]);
    const vf = config.viewfinder;
    return (vf.needs[taskId] || []).filter((letter) => !seen.includes(letter)).map((letter) => vf.kinds[letter]);
  }
  /* What a person calls an asset the answer names (厨余垃圾 · 垃圾袋), else its code. */
  function assetLabel(body, id) {
    const about = body && body.assets && body.assets[id];
    return about ? about.label : id;
  }
  /* The assets a refused scan's photo showed: "In the photo: …". */
  function seenText(body) {
    const ids = Object.keys((body && body.assets) || {});
    return ids.length ? say(T.seen, { assets: ids.map((id) => `${assetLabel(body, id)} (${id})`).join(", ") }) : "";
  }
  /* One recorded handover as two lines: names, then codes (an inspection names its asset once).
   * A repeat names what was already recorded; a weight the user entered is shown back. */
  function handoverLines(list, body, item) {
    for (const h of body.handovers || []) {
      const action = config.actions[h.action] || h.action;
      if (h.source === h.dest) {  // named by the page's task: any field role inspects, not only a keeper
        line(list, say(T.inspectedLine, { action: (config.tasks.inspect || {}).title || action,
                                          asset: assetLabel(body, h.source) }), `${h.source} · #${h.seq}`);
      } else {
        line(list, say(T.handoverLine, { action, source: assetLabel(body, h.source), dest: assetLabel(body, h.dest) }),
             `${h.source} → ${h.dest} · #${h.seq}`);
      }
    }
    for (const r of body.repeats || []) {
      line(list, say(T.repeatLine, { source: assetLabel(body, r.source), dest: assetLabel(body, r.dest) }),
           `${r.source} → ${r.dest} · #${r.repeat_of}`);
    }
    const kg = item && item.fields && item.fields.weight_kg;
    if (kg && (body.handovers || []).length) line(list, say(T.weightLine, { kg }));
  }
  /* A scan the server took but that added nothing: it repeats what is already recorded. */
  const isRepeat = (body) => !!body && !(body.handovers || []).length;

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
    $("refused-alert").textContent = say(T.refusedAlert, { count: refused });
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
      msg.textContent = T.savedNote;
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
        line($("result-flags"), name ? `${name}: ${detail}` : f);
      }
    } else {
      title.textContent = T.notRecorded;
      msg.textContent = [errorText(out, item), seenText(out.body)].filter(Boolean).join(" ");
      msg.className = "alert";
      $("result-fix").hidden = false;
    }
    show("result-screen");
    performance.mark("result-shown");
  }

  /* Store a new scan (or a fixed one), send it if there is signal, and show the answer. */
  async function sendAndShow(item) {
    await updateCount();
    if (navigator.onLine) {
      await flush();
      if (!outcomes.has(item.key)) await flush();  // a flush already under way missed it
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
        formError(err instanceof RangeError ? err.message : T.keepFailed);
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
    $("weight").value = ""; $("note").value = "";
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
