/* The plan form (app/templates/portal/performance/plan.html): add and remove RHK and indicator rows, and
 * number the field names (rhks-0-text, rhks-0-indicators-1-target_value, ...) in page order, which is what
 * the server reads. No inline handlers: everything is bound here. */
(function () {
  "use strict";
  var form = document.getElementById("plan-form");
  if (!form) { return; }
  var list = document.getElementById("plan-rhks");
  var rhkTemplate = document.getElementById("plan-rhk-template");
  var indTemplate = document.getElementById("plan-indicator-template");

  function fromTemplate(template) {
    var holder = document.createElement(template.id === "plan-indicator-template" ? "tbody" : "div");
    holder.innerHTML = template.innerHTML;
    return holder.firstElementChild;
  }

  function renumber() {
    var rhks = list.querySelectorAll(".plan-rhk");
    for (var i = 0; i < rhks.length; i++) {
      var own = rhks[i].querySelectorAll("[data-field]");
      for (var k = 0; k < own.length; k++) {
        own[k].name = "rhks-" + i + "-" + own[k].getAttribute("data-field");
      }
      var rows = rhks[i].querySelectorAll(".plan-indicator");
      for (var j = 0; j < rows.length; j++) {
        var fields = rows[j].querySelectorAll("[data-ind-field]");
        for (var m = 0; m < fields.length; m++) {
          fields[m].name = "rhks-" + i + "-indicators-" + j + "-" + fields[m].getAttribute("data-ind-field");
        }
      }
    }
  }

  document.getElementById("plan-add-rhk").addEventListener("click", function () {
    var row = fromTemplate(rhkTemplate);
    list.appendChild(row);
    renumber();
    var text = row.querySelector("[data-field=text]");
    if (text) { text.focus(); }
  });

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !list.contains(button)) { return; }
    var rhk = button.closest(".plan-rhk");
    if (button.classList.contains("plan-add-indicator")) {
      rhk.querySelector(".plan-indicators tbody").appendChild(fromTemplate(indTemplate));
    } else if (button.classList.contains("plan-remove-indicator")) {
      button.closest(".plan-indicator").remove();
    } else if (button.classList.contains("plan-remove-rhk")) {
      rhk.remove();
    } else {
      return;
    }
    renumber();
  });

  form.addEventListener("submit", renumber);
  renumber();
})();
