/* "Select all" of the award candidate list (templates/portal/awards/candidates.html): checks or unchecks
 * every candidate of the page. Plain DOM; the server checks every chosen candidate again. */
(function () {
  "use strict";
  var all = document.querySelectorAll("input.portal-check-all");
  for (var i = 0; i < all.length; i++) {
    all[i].addEventListener("change", function (event) {
      var form = event.target.closest("form");
      var boxes = form ? form.querySelectorAll('input[type="checkbox"][name="candidate"]') : [];
      for (var j = 0; j < boxes.length; j++) { boxes[j].checked = event.target.checked; }
    });
  }
}());
