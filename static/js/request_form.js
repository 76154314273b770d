// The request forms: "add a document" / "add a measure" copy Django's empty formset form, renumbering
// __prefix__; choosing the recipient fills in their address, unless the clerk has typed another one.
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
      item.querySelector("legend").textContent += " " + (index + 1);
      document.getElementById(prefix).appendChild(item);
      total.value = index + 1;
      var first = item.querySelector("input:not([type=hidden]), select");
      if (first) first.focus();
    });
  });

  var recipient = document.getElementById("id_recipient");
  var address = document.getElementById("id_address");
  if (recipient && address) {
    var prefilled = address.value;
    recipient.addEventListener("change", function () {
      var option = recipient.options[recipient.selectedIndex];
      var partyAddress = (option && option.dataset.address) || "";
      if (address.value === "" || address.value === prefilled) {
        address.value = partyAddress;
        prefilled = partyAddress;
      }
    });
  }
})();
