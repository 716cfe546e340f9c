/* Predikat preview on the rating and objection-decision forms (templates/portal/performance/evaluation.html).
 * The form carries the matrix as JSON in data-matrix ({"HASIL|PERILAKU": {"code", "label"}}, rendered from
 * rating.PREDIKAT_MATRIX) and the names of its two radio groups in data-hasil / data-perilaku. The server
 * computes and stores the predikat; this only shows it while the ratings are chosen. */
(function () {
  "use strict";
  function checked(form, name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }
  function init(form) {
    var matrix;
    try { matrix = JSON.parse(form.getAttribute("data-matrix")); } catch (e) { return; }
    var out = form.querySelector("[data-predikat-preview]");
    if (!out) { return; }
    var hasil = form.getAttribute("data-hasil"), perilaku = form.getAttribute("data-perilaku");
    function update() {
      var cell = matrix[checked(form, hasil) + "|" + checked(form, perilaku)];
      out.textContent = cell ? cell.label : out.getAttribute("data-empty");
      if (cell) { out.setAttribute("data-predikat", cell.code); } else { out.removeAttribute("data-predikat"); }
    }
    form.addEventListener("change", update);
    update();
  }
  var forms = document.querySelectorAll("form[data-matrix]");
  for (var i = 0; i < forms.length; i++) { init(forms[i]); }
}());
