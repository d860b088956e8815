// The front-channel logout page: moves on to the application's post-logout address (the Continue link) as soon
// as every logout frame has loaded. The page's refresh moves on after a few seconds anyway, so a frame that never
// loads cannot hold the user, and the page works without this script.
(function () {
  'use strict';
  var loaded = [];
  var parsed = false;
  var gone = false;

  function proceed() {
    if (!parsed || gone) return;
    var frames = document.getElementsByTagName('iframe');
    for (var i = 0; i < frames.length; i++) {
      if (loaded.indexOf(frames[i]) < 0) return;
    }
    var link = document.getElementById('continue');
    if (!link) return;
    gone = true;
    window.location.replace(link.href);
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
    proceed();
  });
})();
