// The error pattern's behaviour (templates/_forms.html): a page that comes back with errors puts focus on its
// summary (the autofocus attribute does this without JavaScript), and a link in the summary puts focus on its
// field with the field's label or legend in view, as GOV.UK's error summary does. Without JavaScript the link
// still works: following a link to a control focuses it.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  if (document.activeElement === null || document.activeElement === document.body) { summary.focus(); }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) { return; }
    event.preventDefault();
    var group = (field.type === "radio" || field.type === "checkbox") && field.closest("fieldset");
    var label = (group && group.querySelector("legend")) || document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView();
    field.focus({preventScroll: true});
  });
}());
