// Mediation pages: "add a party" / "add a payment" copy Django's empty formset form, renumbering __prefix__;
// a session's mode shows the fields it needs (room for in person, the link for online). Without script
// every field is shown and the server still decides.
(function () {
  document.querySelectorAll("[data-add-form]").forEach(function (button) {
    var prefix = button.dataset.addForm;
    button.addEventListener("click", function () {
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) return;
      var html = document.getElementById(prefix + "-template").innerHTML.replace(/__prefix__/g, index);
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var item = holder.firstElementChild;
      var legend = item.querySelector("legend");
      if (legend) legend.textContent += " " + (index + 1);
      document.getElementById(prefix).appendChild(item);
      total.value = index + 1;
      var first = item.querySelector("input:not([type=hidden]), select");
      if (first) first.focus();
    });
  });

  document.querySelectorAll("form[data-session-form]").forEach(function (form) {
    function show() {
      var checked = form.querySelector("input[name$='mode']:checked");
      var online = checked && checked.value === "online";
      form.querySelectorAll("[data-mode]").forEach(function (field) {
        field.hidden = field.dataset.mode === "online" ? !online : online;
      });
    }
    form.querySelectorAll("input[name$='mode']").forEach(function (radio) {
      radio.addEventListener("change", show);
    });
    show();
  });
})();
