/* The live viewfinder: the camera (getUserMedia) with the codes it sees read on the phone, by the
 * browser's BarcodeDetector where there is one, else by ZXing-C++ in WebAssembly (vendored, served
 * by this app). It shows which kinds of code it sees (bag ✓, bin ✗) against what the chosen task
 * needs, and takes the photo when the collector taps, or by itself once the needed codes have
 * been steady for a moment. The photo goes the usual way: the server reads it again (it is the
 * evidence). Without a camera or a decoder the take-a-photo button still does everything. */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const CODE = /\/T\/([BNSRVF])([0-9]{8})/i;  // the asset id in a label's URL (kind letter first)
  const EVERY_MS = 150, STEADY_MS = 500, MAX_DECODE_SIDE = 960;
  let ui = null, stream = null, decoder = null, timer = null, steadySince = 0, lastSet = "",
      armed = true, busy = false;

  /* --- decoders ------------------------------------------------------------------------- */
  async function nativeDecoder() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (!formats.includes("qr_code")) return null;
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return { name: "native", read: async (canvas) => (await detector.detect(canvas)).map((c) => c.rawValue) };
    } catch (err) { return null; }
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
  }

  async function wasmDecoder() {
    const cfg = ui.config.viewfinder;
    if (!window.ZXingWASM) await loadScript(cfg.zxingJs);
    const Z = window.ZXingWASM;
    Z.prepareZXingModule({
      overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? cfg.zxingWasm : prefix + path) },
      fireImmediately: true,
    });
    const options = { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 8 };
    return { name: "zxing-wasm", read: async (canvas) => {
      const pixels = canvas.getContext("2d", { willReadFrequently: true })
        .getImageData(0, 0, canvas.width, canvas.height);
      return (await Z.readBarcodes(pixels, options)).filter((r) => r.isValid).map((r) => r.text);
    } };
  }

  async function getDecoder() {
    if (!decoder) decoder = (await nativeDecoder()) || (await wasmDecoder());
    return decoder;
  }

  /* --- what the frame shows against what the task needs --------------------------------- */
  function seenIds(texts) {
    const ids = new Set();
    for (const text of texts) {
      const m = CODE.exec(text || "");
      if (m) ids.add(m[1].toUpperCase() + m[2]);
    }
    return [...ids].sort();
  }

  /* [[letter, seen?]...] for the task, and whether it has all it needs. */
  function needs(ids) {
    const task = ui.currentTask();
    const need = ui.config.viewfinder.needs[task.id] || [];
    const letters = new Set(ids.map((id) => id[0]));
    const rows = need.map((letter) => [letter, letters.has(letter)]);
    const ok = need.length ? rows.every(([, seen]) => seen) : ids.length > 0;
    return { rows, ok };
  }

  function render(ids) {
    const kinds = ui.config.viewfinder.kinds, T = ui.config.text;
    const { rows, ok } = needs(ids);
    const items = rows.map(([letter, seen]) => {
      const li = document.createElement("li");
      li.className = seen ? "seen" : "missing";
      li.dataset.kind = letter;
      li.textContent = `${kinds[letter] || letter} ${seen ? "✓" : "✗"}`;
      return li;
    });
    for (const id of ids) {
      if (rows.some(([letter]) => letter === id[0])) continue;
      const li = document.createElement("li");
      li.className = "extra";
      li.dataset.kind = id[0];
      li.textContent = `${kinds[id[0]] || id[0]} ${id}`;
      items.push(li);
    }
    $("vf-seen").replaceChildren(...items);
    $("vf-need").textContent = ok ? T.vfReady : T.vfLooking;
    $("vf-need").dataset.ready = String(ok);
    return ok;
  }

  /* --- the loop ---------------------------------------------------------------------------- */
  function frameCanvas(maxSide) {
    const video = $("vf-video");
    const scale = Math.min(1, maxSide / Math.max(video.videoWidth, video.videoHeight));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d", { willReadFrequently: true }).drawImage(video, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  async function tick() {
    timer = null;
    if (!stream) return;
    const video = $("vf-video");
    if (!busy && video.readyState >= 2 && !$("form-screen").hidden && video.videoWidth) {
      busy = true;
      try {
        const ids = seenIds(await decoder.read(frameCanvas(MAX_DECODE_SIDE)));
        const ok = render(ids);
        const set = ids.join(",");
        if (!ok || set !== lastSet) { steadySince = ok ? performance.now() : 0; lastSet = ok ? set : ""; }
        if (ok && armed && !ui.formProblem() && performance.now() - steadySince >= STEADY_MS) {
          performance.mark("codes-steady");
          armed = false;
          await shoot();
        }
      } catch (err) { /* one bad frame: try the next */ }
      busy = false;
    }
    timer = setTimeout(tick, EVERY_MS);
  }

  let shooting = false;  // a second tap while the frame is encoded takes no second photo
  async function shoot() {
    const problem = ui.formProblem();
    if (problem) { ui.formError(problem); return; }
    if (shooting) return;
    shooting = true;
    try {
      const canvas = frameCanvas(ui.maxSide);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
      canvas.width = canvas.height = 0;
      if (blob) await ui.scanPhoto(blob);
    } finally {
      shooting = false;
    }
  }

  async function start() {
    $("vf-start").disabled = true;
    $("vf-error").hidden = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment", width: { ideal: 1920 }, height: { ideal: 1080 } }, audio: false });
    } catch (err) {
      return fail(ui.config.text.vfNoCamera);
    }
    $("vf-video").srcObject = stream;
    $("vf-live").hidden = false;
    $("vf-start").hidden = true;
    try {
      await getDecoder();
      $("vf").dataset.decoder = decoder.name;
    } catch (err) {
      $("vf-error").textContent = ui.config.text.vfNoDecoder;  // the photo is still read by the server
      $("vf-error").hidden = false;
      return;
    }
    armed = true;
    tick();
  }

  function fail(text) {
    stop();
    $("vf-error").textContent = text;
    $("vf-error").hidden = false;
  }

  function stop() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    $("vf-video").srcObject = null;
    $("vf-live").hidden = true;
    $("vf-start").hidden = false;
    $("vf-start").disabled = false;
  }

  function init(api) {
    ui = api;
    if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) return;  // the photo button only
    $("vf").hidden = false;
    $("vf-start").addEventListener("click", start);
    $("vf-stop").addEventListener("click", stop);
    $("vf-shoot").addEventListener("click", () => { armed = false; shoot(); });
  }

  /* A new scan: the same codes may be taken again once they are steady again. */
  function rearm() { armed = true; steadySince = 0; lastSet = ""; }

  window.CustodyViewfinder = { init, rearm, stop };
})();
