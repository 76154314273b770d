// "Add a party" on the filing form: copy Django's empty formset form, renumbering __prefix__.
(function () {
  var button = document.getElementById("add-party");
  if (!button) return;
  button.addEventListener("click", function () {
    var total = document.getElementById("id_parties-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var html = document.getElementById("party-template").innerHTML.replace(/__prefix__/g, index);
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fieldset = holder.firstElementChild;
    fieldset.dataset.index = index;
    fieldset.querySelector("legend").textContent += " " + (index + 1);
    document.getElementById("parties").appendChild(fieldset);
    total.value = index + 1;
    fieldset.querySelector("input[name$='-name']").focus();
  });
})();
