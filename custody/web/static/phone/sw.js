/* Service worker of the phone pages: keeps the app shell so a page opens with no signal.
 * Pages: network first, the last good copy when offline. Scripts and styles: the cached copy
 * at once, refreshed in the background. Uploads (POST) are never touched: the page's outbox
 * owns them. */
"use strict";
const CACHE = "custody-phone-v5";
const SHELL = ["/static/phone/phone.css", "/static/phone/queue.js", "/static/phone/answers.js",
               "/static/phone/capture.js",
               "/static/phone/today.js",
               "/static/phone/viewfinder.js", "/static/phone/phone.js",
               // the live viewfinder's decoder (zxing-wasm 3.1.6), kept for use with no signal
               "/static/phone/vendor/zxing-wasm/zxing-reader.js",
               "/static/phone/vendor/zxing-wasm/zxing_reader.wasm"];
const LAST_PAGE = "/phone/__last_page__";
// The one thing this worker says itself (no page is cached yet): in the phone's language.
const OFFLINE = { zh: "没有信号，页面尚未保存在手机上。", en: "No signal, and the page is not kept on this phone yet." };

async function install() {
  const cache = await caches.open(CACHE);
  await cache.addAll(SHELL);
  // The page that registered us was loaded before we existed: keep it for offline use too.
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    const url = new URL(client.url);
    if (!url.pathname.startsWith("/phone/")) continue;
    const response = await fetch(url.pathname, { credentials: "same-origin" });
    if (response.ok && !response.redirected
        && !/no-store/.test(response.headers.get("Cache-Control") || "")) {
      await cache.put(url.pathname, response.clone());
      await cache.put(LAST_PAGE, response);
    }
  }
  await self.skipWaiting();
}

self.addEventListener("install", (event) => event.waitUntil(install()));

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Pages marked no-store (enrolment, the sign-in hop) hold secrets or are one-offs: never kept.
    const keep = !/no-store/.test(response.headers.get("Cache-Control") || "");
    if (response.ok && !response.redirected && keep) {
      await cache.put(request, response.clone());
      await cache.put(LAST_PAGE, response.clone());
    }
    return response;
  } catch (err) {
    // Pages vary by language (Accept-Language, the lang cookie): offline, the last copy will do.
    const any = { ignoreSearch: true, ignoreVary: true };
    return (await cache.match(request, any)) || (await cache.match(LAST_PAGE, any))
      || new Response(OFFLINE[(self.navigator.language || "zh").slice(0, 2)] || OFFLINE.zh,
                      { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
}

async function asset(event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request, { ignoreSearch: true, ignoreVary: true });
  const fresh = fetch(event.request).then((response) => {
    if (response.ok) cache.put(event.request, response.clone());
    return response;
  });
  if (cached) { event.waitUntil(fresh.catch(() => null)); return cached; }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (event.request.mode === "navigate" && url.pathname.startsWith("/phone")) {
    event.respondWith(page(event.request));
  } else if (url.pathname.startsWith("/static/phone/")) {
    event.respondWith(asset(event));
  }
});
