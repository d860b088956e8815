// Follows a bridge-hosted sign-in without reloading the page: polls the bridge's own status endpoint
// (never Xumm) and moves on once the request is signed or has ended. The page works without it too.
(function () {
  'use strict';
  var box = document.getElementById('signin-status');
  if (!box || !window.fetch) return;
  var statusUrl = box.getAttribute('data-status-url');
  var expiresIn = parseInt(box.getAttribute('data-expires-in') || '0', 10);
  var intervalMs = 2000;
  var failures = 0;

  function describe(seconds) {
    var s = Math.max(0, seconds);
    var minutes = Math.floor(s / 60);
    var rest = s % 60;
    return 'Waiting for your signature. This request expires in ' + minutes + ' min ' + (rest < 10 ? '0' : '') + rest + ' s.';
  }

  function schedule() {
    window.setTimeout(poll, Math.min(intervalMs * Math.pow(2, failures), 30000));
  }

  function poll() {
    fetch(statusUrl, { credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'application/json' } })
      .then(function (response) {
        if (response.status === 404) { window.location.reload(); return null; }
        if (!response.ok) throw new Error('status ' + response.status);
        return response.json();
      })
      .then(function (state) {
        if (!state) return;
        failures = 0;
        if (state.next) { window.location.assign(state.next); return; }
        if (state.status !== 'pending') { window.location.assign(state.page); return; }
        expiresIn = state.expires_in;
        box.textContent = describe(expiresIn);
        schedule();
      })
      .catch(function () {
        failures = Math.min(failures + 1, 4);
        schedule();
      });
  }

  box.textContent = describe(expiresIn);
  schedule();
})();
