// The front-channel logout page: moves on to the application's post-logout address (the Continue link) as soon
// as every logout frame has loaded, or when the link's wait (data-wait-ms) is over, whichever comes first: a frame
// that never loads would hold the page's load event, and with it the refresh, which is only the page's way on
// when script does not run.
(function () {
  'use strict';
  var loaded = [];
  var parsed = false;
  var gone = false;

  function go() {
    var link = document.getElementById('continue');
    if (!link || gone) return;
    gone = true;
    window.location.replace(link.href);
  }

  function proceed() {
    if (!parsed) return;
    var frames = document.getElementsByTagName('iframe');
    for (var i = 0; i < frames.length; i++) {
      if (loaded.indexOf(frames[i]) < 0) return;
    }
    go();
  }

  // A frame's load event does not bubble: caught on its way down instead, from before the frames are parsed.
  document.addEventListener('load', function (e) {
    var target = e.target;
    if (target && target.tagName === 'IFRAME' && loaded.indexOf(target) < 0) {
      loaded.push(target);
      proceed();
    }
  }, true);
  document.addEventListener('DOMContentLoaded', function () {
    parsed = true;
    var link = document.getElementById('continue');
    var wait = link ? parseInt(link.getAttribute('data-wait-ms') || '0', 10) : 0;
    if (wait > 0) window.setTimeout(go, wait);
    proceed();
  });
})();
