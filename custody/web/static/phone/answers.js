/* The words of a server's answer on the phone, from the page's config in its language: what a
 * refusal means (and which code the photo lacks), what each asset is called, the handovers
 * recorded or repeated, the weight the user entered. Used by phone.js and today.js. */
"use strict";
window.CustodyAnswers = function (config) {
  const T = config.text;
  /* A message with its %(name)s placeholders filled ("" for a key an older cached page lacks). */
  const say = (text, values = {}) => (text || "").replace(/%\((\w+)\)s/g, (_, k) => String(values[k] ?? ""));
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
    return ids.length ? say(T.seen, { assets: ids.map((id) => `${assetLabel(body, id)} (${id})`).join(T.listJoin) }) : "";
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

  return { say, line, errorText, missingKinds, assetLabel, seenText, handoverLines, isRepeat };
};
