// Optional: keeps a pending card's countdown moving. The server already rendered the
// remaining time, and every action works without this script.
(function () {
  "use strict";

  function describe(ms) {
    if (ms <= 0) return "已到期 expired — 请刷新页面 reload the page";
    var seconds = Math.floor(ms / 1000);
    if (seconds < 60) return "不到 1 分钟 less than a minute remaining";
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    return "还剩 " + hours + " 小时 " + minutes + " 分 remaining";
  }

  document.querySelectorAll("[data-expires-at]").forEach(function (node) {
    var expires = Date.parse(node.dataset.expiresAt);
    // Count from the server's clock, not the browser's, which may be set wrong.
    var skew = Date.parse(node.dataset.now) - Date.now();
    function tick() { node.textContent = describe(expires - (Date.now() + skew)); }
    tick();
    setInterval(tick, 15000);
  });
})();
