/* Today's list on the phone (sent, waiting, not recorded) and the screen that fixes a refused
 * scan: change the task or the weight and send again, take the photo again, or discard it.
 * A scan sent again gets a new idempotency key: the refused one stays on the server as it was. */
"use strict";
(function () {
  const Q = window.CustodyQueue;
  const $ = (id) => document.getElementById(id);
  let ui = null, fixing = null, thumbs = [];

  const T = () => ui.config.text;
  const taskTitle = (item) => (ui.config.tasks[item.task] || {}).title || item.action;
  const time = (ms) => new Date(ms).toLocaleTimeString(ui.config.lang, { hour: "2-digit", minute: "2-digit" });

  function thumb(blob) {
    const img = document.createElement("img");
    img.className = "thumb small";
    img.alt = "";
    img.src = URL.createObjectURL(blob);
    thumbs.push(img.src);
    return img;
  }

  function entry(item) {
    const li = document.createElement("li");
    li.className = `today-item ${item.state || "queued"}`;
    li.dataset.key = item.key;
    li.dataset.state = item.state || "queued";
    const head = document.createElement("p");
    const badge = document.createElement("span");
    badge.className = "badge";
    const repeat = item.state === "sent" && ui.isRepeat(item.answer && item.answer.body);
    badge.textContent = repeat ? T().repeatTitle
      : { sent: T().stateSent, refused: T().stateRefused }[item.state] || T().stateQueued;
    head.append(badge, ` ${time(item.created)} · ${taskTitle(item)}`);
    li.append(head);
    const body = item.answer && item.answer.body;
    if (item.state === "sent") {
      const list = document.createElement("ul");
      list.className = "handovers";
      ui.handoverLines(list, body, item);
      if (ui.isRepeat(body)) {
        const note = document.createElement("p");
        note.className = "repeat";
        note.textContent = ui.config.errors.repeat_scan;
        li.append(note);
      }
      li.append(list);
      const flags = (body.flags || []).filter((f) => !ui.isRepeat(body) || (f !== "repeat_scan" && f !== "reused_photo"));
      if (flags.length) {  // what the supervisor will check, by name
        const note = document.createElement("p");
        note.className = "flagged";
        note.textContent = ui.say(T().flaggedLine, { flags: flags.map((f) => ui.config.flagNames[f] || f).join(T().listJoin) });
        li.append(note);
      }
    } else if (item.state === "refused") {
      const why = document.createElement("p");
      why.className = "reason";
      why.textContent = [ui.errorText(item.answer, item), ui.seenText(body)].filter(Boolean).join(" ");
      li.append(why);
    }
    if (item.photo) li.append(thumb(item.photo));
    if (item.state === "refused") {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "main fix-open";
      button.textContent = T().fixOpen;
      button.addEventListener("click", () => openFix(item.key));
      li.append(button);
    }
    return li;
  }

  /* Refused first (they need the collector), then the rest, newest first. */
  async function render() {
    for (const url of thumbs.splice(0)) URL.revokeObjectURL(url);
    const items = (await Q.all(ui.config.user)).reverse();
    items.sort((a, b) => (b.state === "refused") - (a.state === "refused"));
    $("today-list").replaceChildren(...items.map(entry));
    $("today-empty").hidden = items.length > 0;
  }

  async function open() { await render(); ui.show("today-screen"); }

  async function openFix(key) {
    fixing = (await Q.all(ui.config.user)).find((i) => i.key === key);
    if (!fixing) { await open(); return; }
    $("fix-reason").textContent = ui.errorText(fixing.answer || {}, fixing);
    $("fix-seen").textContent = ui.seenText(fixing.answer && fixing.answer.body);
    if ($("fix-thumb").src) URL.revokeObjectURL($("fix-thumb").src);
    $("fix-thumb").src = URL.createObjectURL(fixing.photo);
    for (const radio of document.querySelectorAll('input[name="fix-task"]')) radio.checked = radio.value === fixing.task;
    $("fix-weight").value = fixing.fields.weight_kg || "";
    $("fix-error").hidden = true;
    describe();
    ui.show("fix-screen");
  }

  function chosenTask() {
    const radio = document.querySelector('input[name="fix-task"]:checked');
    return radio ? ui.config.tasks[radio.value] : ui.config.tasks[fixing.task];
  }
  function describe() {
    const task = chosenTask();
    $("fix-weight-row").hidden = !task || task.weight === "none";
  }

  /* Replace the refused scan by a new one (new key) and send it. */
  async function resend(photo) {
    if (!fixing) return;  // already being sent (a second tap on a slow network): once only
    const task = chosenTask(), weight = $("fix-weight").value.trim();
    if (task.weight === "required" && !(Number(weight) > 0)) return fail(T().needWeight);
    if (weight && !(Number(weight) >= 0)) return fail(T().weightNumber);
    if (Number(weight) > ui.config.maxWeightKg) return fail(T().weightRange);
    const old = fixing;
    fixing = null;
    const item = { ...old, key: Q.uuid(), task: task.id, action: task.action, photo: photo || old.photo,
                   fields: { ...old.fields, weight_kg: task.weight === "none" ? "" : weight,
                             category: task.category ? old.fields.category : "",
                             note: task.note ? old.fields.note : "" },
                   state: "queued", answer: null, resentFrom: old.key };
    if (photo) Object.assign(item.fields, { client_time: new Date().toISOString(), ...ui.gpsFields() });
    ui.show("busy-screen");
    await Q.add(item);
    await Q.remove(old.key);
    await ui.sendAndShow(item);
  }

  function fail(text) {
    $("fix-error").textContent = text;
    $("fix-error").hidden = false;
  }

  async function retake() {
    const file = $("fix-photo").files[0];
    $("fix-photo").value = "";
    if (!file || !fixing) return;
    const photo = await ui.shrink(file);
    if (photo.size > ui.config.maxPhotoBytes) return fail(T().tooLarge);
    await resend(photo);
  }

  async function discard() {
    if (!fixing || !window.confirm(T().discardConfirm)) return;
    await Q.remove(fixing.key);
    fixing = null;
    await ui.updateCount();
    await open();
  }

  function init(api) {
    ui = api;
    for (const radio of document.querySelectorAll('input[name="fix-task"]')) radio.addEventListener("change", describe);
    $("fix-send").addEventListener("click", () => resend(null));
    $("fix-photo").addEventListener("change", retake);
    $("fix-discard").addEventListener("click", discard);
    $("fix-back").addEventListener("click", open);
    $("today-close").addEventListener("click", () => ui.show("form-screen"));
  }

  window.CustodyToday = { init, open, openFix, render };
})();
