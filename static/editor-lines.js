// Line numbers beside the editor's text area, and "Rad N" links in the check that put the cursor on line N.
// Without JavaScript the text area is a plain one and "Rad N" moves focus to it.
(function () {
  "use strict";
  var textarea = document.getElementById("markdown");
  if (!textarea) { return; }
  var box = document.createElement("div");
  box.className = "numbered";
  var gutter = document.createElement("div");
  gutter.className = "line-numbers";
  gutter.setAttribute("aria-hidden", "true");
  var mirror = document.createElement("div");
  mirror.className = "line-mirror";
  mirror.setAttribute("aria-hidden", "true");
  textarea.parentNode.insertBefore(box, textarea);
  box.appendChild(gutter);
  box.appendChild(textarea);
  document.body.appendChild(mirror);
  var tops = [];

  // A long line wraps in the text area: measure each line in a copy of the same width to place its number.
  function renumber() {
    var lines = textarea.value.split("\n");
    var style = window.getComputedStyle(textarea);
    mirror.style.width = (textarea.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)) + "px";
    mirror.replaceChildren();
    lines.forEach(function (line) {
      var div = document.createElement("div");
      div.textContent = line || "\u00a0";
      mirror.appendChild(div);
    });
    gutter.replaceChildren();
    tops = [];
    var top = 0;
    Array.prototype.forEach.call(mirror.children, function (div, index) {
      var number = document.createElement("div");
      number.textContent = String(index + 1);
      number.style.height = div.offsetHeight + "px";
      gutter.appendChild(number);
      tops.push(top);
      top += div.offsetHeight;
    });
    gutter.scrollTop = textarea.scrollTop;
  }

  function goToLine(line) {
    var lines = textarea.value.split("\n");
    var index = Math.max(1, Math.min(line, lines.length)) - 1;
    var offset = 0;
    for (var i = 0; i < index; i++) { offset += lines[i].length + 1; }
    textarea.focus();
    textarea.setSelectionRange(offset, offset + lines[index].length);
    textarea.scrollTop = Math.max(0, (tops[index] || 0) - textarea.clientHeight / 3);
    textarea.scrollIntoView({block: "nearest"});
  }

  var pending = null;
  textarea.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(renumber, 150);
  });
  textarea.addEventListener("scroll", function () { gutter.scrollTop = textarea.scrollTop; });
  window.addEventListener("resize", renumber);
  if (window.ResizeObserver) { new ResizeObserver(renumber).observe(textarea); }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.goto-line");
    if (!link) { return; }
    event.preventDefault();
    goToLine(parseInt(link.getAttribute("data-line"), 10) || 1);
  });
  renumber();
}());
