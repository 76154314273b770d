// What a staff page asks of script by data attributes, so that no page needs inline script or style (the
// Content-Security-Policy in config/settings.py refuses both; sizes set here through the CSSOM are allowed):
//   data-print            a button that prints the page (the receipt)
//   data-select-on-focus  a read-only field whose text is selected when it is focused, to copy it (the feed)
//   data-width="40"       an element 40% wide (the parts of a mediation's elapsed-time bar)
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
  document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () {
      field.select();
    });
  });
  document.querySelectorAll("[data-width]").forEach(function (element) {
    var percent = parseFloat(element.dataset.width);
    if (!isNaN(percent)) element.style.width = percent + "%";
  });
})();
