/* What goes with a photo: the GPS fix (watched from page load so it is ready when the photo is
 * taken) and the photo itself made small on the phone before it is stored and sent. */
"use strict";
(function () {
  const MAX_SIDE = 2048, JPEG_QUALITY = 0.85, FIX_MAX_AGE_MS = 120000;
  let fix = null;

  /* Watch the position; ``show`` gets the line to display (words from the page's text T). */
  function watchGps(show, T, say) {
    if (!navigator.geolocation) { show(T.noGpsDevice); return; }
    navigator.geolocation.watchPosition((pos) => {
      fix = { lat: pos.coords.latitude, lon: pos.coords.longitude,
              accuracy: pos.coords.accuracy, at: Date.now() };
      show(say(T.gpsFix, { metres: Math.round(fix.accuracy) }));
    }, () => show(T.noGps), { enableHighAccuracy: true, maximumAge: 30000, timeout: 30000 });
  }

  /* The scan's position fields, if the fix is recent enough. */
  function gpsFields() {
    return fix && Date.now() - fix.at < FIX_MAX_AGE_MS
      ? { lat: fix.lat, lon: fix.lon, accuracy_m: Math.round(fix.accuracy * 10) / 10 } : {};
  }

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

  window.CustodyCapture = { watchGps, gpsFields, shrink, MAX_SIDE };
})();
