// The council report's "copy the text" button; without JavaScript the text is selected by hand.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = document.getElementById(button.dataset.copy).innerText;
    navigator.clipboard.writeText(text).then(function () {
      document.getElementById("kopierad").textContent = "Texten är kopierad.";
    });
  });
});
