// The main menu on a phone: folded behind a "Meny" button. Without JavaScript the whole menu shows and wraps.
(function () {
  "use strict";
  function setUp() {
    var nav = document.querySelector(".site-nav");
    if (!nav) { return; }
    var button = nav.querySelector(".menu-toggle");
    button.hidden = false;
    nav.classList.add("foldable");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("open", open);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
}());
