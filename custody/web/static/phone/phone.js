/* The phone scan page: choose a task, photograph, send now or queue for later, show the answer. */
"use strict";
(function () {
  const Q = window.CustodyQueue;
  const config = JSON.parse(document.getElementById("phone-config").textContent);
  const $ = (id) => document.getElementById(id);
  const MAX_SIDE = 2048, JPEG_QUALITY = 0.85, FIX_MAX_AGE_MS = 120000;
  let csrf = document.querySelector('meta[name="csrf-token"]').content;
  let fix = null, flushing = null, backoffMs = 2000, retryTimer = null;
  const outcomes = new Map();

  /* --- screens --------------------------------------------------------------------- */
  function show(screen) {
    for (const id of ["form-screen", "busy-screen", "result-screen"]) $(id).hidden = id !== screen;
  }
  function currentTask() {
    return config.tasks[document.querySelector('input[name="task"]:checked').value];
  }
  function describeTask() {
    const t = currentTask();
    $("hint").textContent = "";
    $("hint").append(t.hint_zh, bilingual(t.hint_en));
    $("weight-row").hidden = t.weight === "none";
    $("weight-need").textContent = t.weight === "required" ? "（必填）" : "（可不填）";
    $("weight-need-en").textContent = t.weight === "required" ? "(required)" : "(optional)";
    $("weight").required = t.weight === "required";
    $("category-row").hidden = !t.category;
    $("note-row").hidden = !t.note;
  }
  function bilingual(en) {
    const span = document.createElement("span");
    span.className = "en"; span.lang = "en"; span.textContent = en;
    return span;
  }
  function line(list, zh, en) {
    const li = document.createElement("li");
    li.append(zh, bilingual(en));
    list.append(li);
  }

  /* --- GPS: watched from page load so a fix is ready when the photo is taken ---------- */
  function watchGps() {
    if (!navigator.geolocation) { $("gps").textContent = "无定位 · No GPS on this phone"; return; }
    navigator.geolocation.watchPosition((pos) => {
      fix = { lat: pos.coords.latitude, lon: pos.coords.longitude,
              accuracy: pos.coords.accuracy, at: Date.now() };
      $("gps").textContent = `已定位 ±${Math.round(fix.accuracy)} 米 · GPS ±${Math.round(fix.accuracy)} m`;
    }, () => {
      $("gps").textContent = "未定位，照片仍可上传 · No GPS: the scan is sent without it";
    }, { enableHighAccuracy: true, maximumAge: 30000, timeout: 30000 });
  }

  /* --- the photo, made small on the phone before it is stored and sent -------------- */
  async function shrink(file) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (err) {
      return file;  // a format this browser cannot draw: the server still reads it
    }
    const long = Math.max(bitmap.width, bitmap.height);
    if (long <= MAX_SIDE && file.type === "image/jpeg") { bitmap.close(); return file; }
    const scale = Math.min(1, MAX_SIDE / long);
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
    canvas.width = canvas.height = 0;  // free the pixels at once on small phones
    return blob || file;
  }

  async function takeScan(file) {
    const task = currentTask();
    const weight = $("weight").value.trim();
    const fields = { client_time: new Date().toISOString(),
                     weight_kg: task.weight === "none" ? "" : weight,
                     category: task.category ? $("category").value : "",
                     note: task.note ? $("note").value.trim() : "" };
    if (fix && Date.now() - fix.at < FIX_MAX_AGE_MS) {
      Object.assign(fields, { lat: fix.lat, lon: fix.lon, accuracy_m: Math.round(fix.accuracy * 10) / 10 });
    }
    const photo = await shrink(file);
    const item = { key: Q.uuid(), user: config.user, action: task.action, task: task.id,
                   fields, photo, created: Date.now() };
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

  async function drain() {
    let refreshed = false;
    for (const item of await Q.list(config.user)) {
      let out = await Q.send(item, csrf, config.scanUrl);
      if (out.kind === "auth" && !refreshed) {
        refreshed = true;
        if (await refreshCsrf()) out = await Q.send(item, csrf, config.scanUrl);
      }
      if (out.kind === "retry") { outcomes.set(item.key, out); scheduleRetry(); return; }
      if (out.kind === "auth") { outcomes.set(item.key, out); $("signin").hidden = false; return; }
      await Q.remove(item.key);
      outcomes.set(item.key, out);
      if (out.status >= 400) remember(item, out);
      updateCount();
    }
    backoffMs = 2000;
    $("signin").hidden = true;
  }

  async function updateCount() {
    $("queue-count").textContent = String(await Q.count(config.user));
  }

  /* --- failures are listed until the page is closed, with the server's words ---------- */
  function remember(item, out) {
    const error = (out.body && out.body.error) || {};
    const when = new Date(item.created).toLocaleTimeString();
    line($("failed-list"), `${when} ${config.tasks[item.task].zh}：${error.message_zh || "未能记录"}`,
         `${config.tasks[item.task].en}: ${error.message || `HTTP ${out.status}`}`);
    $("failed-box").hidden = false;
  }

  /* --- the result screen ------------------------------------------------------------- */
  function showResult(item, out) {
    const title = $("result-title"), msg = $("result-message");
    $("result-handovers").replaceChildren();
    $("result-flags").replaceChildren();
    title.replaceChildren(); msg.replaceChildren();
    if ($("result-photo").src) URL.revokeObjectURL($("result-photo").src);
    $("result-photo").src = URL.createObjectURL(item.photo);
    if (!out || out.kind === "retry" || out.kind === "auth") {
      title.append("已保存，待上传", bilingual("Saved on the phone, not sent yet"));
      msg.append("没有信号时照片保存在手机上，恢复信号后会自动上传。",
                 bilingual("There is no signal: the scan is kept and sent by itself when the signal returns."));
      msg.className = "note";
    } else if (out.status === 201 || out.status === 200) {
      const body = out.body;
      title.append("已记录", bilingual("Recorded"));
      msg.append(body.message.zh, bilingual(body.message.en));
      msg.className = body.flags.length ? "alert" : "note";
      for (const h of body.handovers) {
        const [zh, en] = (config.actions || {})[h.action] || [h.action, h.action];  // an older cached page has no names
        line($("result-handovers"), `${zh}：${h.source} → ${h.dest}`, `${en} · #${h.seq}`);
      }
      for (const f of body.flags) {
        const [zh, en] = config.flags[f] || [f, f];
        line($("result-flags"), zh, en);
      }
    } else {
      const error = (out.body && out.body.error) || {};
      title.append("未记录，请重拍", bilingual("Not recorded: retake the photo"));
      msg.append(error.message_zh || "请重新拍照。", bilingual(error.message || `HTTP ${out.status}`));
      msg.className = "alert";
    }
    show("result-screen");
  }

  async function onPhoto() {
    const file = $("photo").files[0];
    $("photo").value = "";
    if (!file) return;
    show("busy-screen");
    let item;
    try {
      item = await takeScan(file);
    } catch (err) {
      show("form-screen");
      formError("无法保存照片，请重试。", "Could not keep the photo: try again.");
      return;
    }
    await updateCount();
    if (navigator.onLine) {
      await flush();
      if (!outcomes.has(item.key)) await flush();  // a flush already under way missed it
    }
    showResult(item, outcomes.get(item.key));
  }

  function formError(zh, en) {
    const box = $("form-error");
    box.replaceChildren(zh, bilingual(en));
    box.hidden = !zh;
  }

  function networkState() {
    const online = navigator.onLine;
    $("net").dataset.state = online ? "online" : "offline";
    $("net").textContent = online ? "在线 · Online" : "离线 · Offline";
  }

  /* --- wiring ------------------------------------------------------------------------ */
  for (const radio of document.querySelectorAll('input[name="task"]')) radio.addEventListener("change", describeTask);
  $("shoot-label").addEventListener("click", (event) => {
    const task = currentTask(), weight = $("weight").value.trim();
    if (task.weight === "required" && !(Number(weight) > 0)) {
      event.preventDefault();
      formError("请先填写地磅净重。", "Enter the weighbridge net weight first.");
      $("weight").focus();
    } else if (weight && !(Number(weight) >= 0)) {
      event.preventDefault();
      formError("重量必须是数字。", "The weight must be a number.");
    } else {
      formError("", "");
    }
  });
  $("photo").addEventListener("change", onPhoto);
  $("again").addEventListener("click", () => { $("weight").value = ""; $("note").value = ""; show("form-screen"); });
  window.addEventListener("online", () => { networkState(); backoffMs = 2000; flush(); });
  window.addEventListener("offline", networkState);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) flush(); });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(config.swUrl).catch(() => {});
  describeTask();
  networkState();
  watchGps();
  updateCount().then(() => { if (navigator.onLine) flush(); });
})();
