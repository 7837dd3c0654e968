// Live preview for the editor: posts the form (with its CSRF token) after a pause in typing and shows
// the server's rendering, the same sanitised HTML learners get. Without JavaScript the Preview button does this.
(function () {
  "use strict";
  var form = document.getElementById("redigera");
  var region = document.getElementById("forhandsgranskning");
  if (!form || !region || !window.fetch) { return; }
  var status = document.getElementById("forhandsgranskning-status");
  var timer = null;
  var sent = 0;
  function refresh() {
    var mine = ++sent;
    fetch(form.getAttribute("data-preview-url"), {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || mine !== sent) { return; }
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.getElementById("forhandsgranskning");
        if (fresh) {
          var opened = region.querySelector("details.quiz-preview[open]") !== null;
          region.replaceChildren.apply(region, Array.from(fresh.childNodes));
          if (opened) { region.querySelector("details.quiz-preview").open = true; }  // keep the quiz open if it was
          var count = document.getElementById("kontroll-antal");
          if (status) { status.textContent = "Förhandsgranskningen är uppdaterad. " + (count ? count.textContent : ""); }
        }
      })
      .catch(function () { /* the Preview button still works */ });
  }
  form.querySelector("textarea").addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 800);
  });
}());
