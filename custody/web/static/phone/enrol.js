/* Enrolment on the phone. On the page an enrolment QR opens: trade the one-time code for this
 * phone's device token and keep it in the phone's storage (it is never shown). On the start page
 * (a phone without a browser session): sign in with the kept token, else go to the login page.
 * Every word shown comes from the page (the script holds none). */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const readConfig = (id) => JSON.parse($(id).textContent);

  async function enrol() {
    const config = readConfig("enrol-config");
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    let response;
    try {
      response = await fetch(config.redeemUrl, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "X-CSRF-Token": csrf, Accept: "application/json" } });
    } catch (err) {
      $("enrol-status").hidden = true;
      $("enrol-error").textContent = config.offline;
      $("enrol-error").hidden = false;
      return;
    }
    let body = null;
    try { body = await response.json(); } catch (err) { body = null; }
    if (response.ok && body && body.token) {
      localStorage.setItem(config.storageKey, JSON.stringify({ token: body.token, user: body.user }));
      location.replace(body.home);
      return;
    }
    const reason = (body && body.error && body.error.message) || String(response.status);
    $("enrol-status").hidden = true;
    $("enrol-error").textContent = config.failed.replace("%(reason)s", reason);
    $("enrol-error").hidden = false;
  }

  async function start() {
    const config = readConfig("start-config");
    let kept = null;
    try { kept = JSON.parse(localStorage.getItem(config.storageKey) || "null"); } catch (err) { kept = null; }
    if (!kept || !kept.token) { location.replace(config.loginUrl); return; }
    let response;
    try {
      response = await fetch(config.sessionUrl, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { Authorization: `Bearer ${kept.token}`, Accept: "application/json" } });
    } catch (err) {
      $("start-status").hidden = true;
      $("start-offline").hidden = false;
      return;
    }
    if (response.ok) { location.replace(config.next); return; }
    $("start-status").hidden = true;
    if (response.status === 401) {
      localStorage.removeItem(config.storageKey);  // revoked: the token is of no use any more
      $("start-revoked").hidden = false;
    } else {
      $("start-offline").hidden = false;
    }
  }

  if ($("enrol-config")) enrol();
  else if ($("start-config")) start();
})();
