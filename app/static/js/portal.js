/* Search-as-you-type pickers: <select class="portal-ajax-select" data-url="/lookup/employee"> */
(function ($) {
  "use strict";
  function initAjaxSelect(el) {
    var $el = $(el);
    $el.select2({
      allowClear: $el.data("allow-clear") === true || $el.data("allow-clear") === "true",
      placeholder: $el.data("placeholder") || "",
      minimumInputLength: 0,
      width: "100%",
      ajax: {
        url: $el.data("url"),
        dataType: "json",
        delay: 250,
        data: function (params) { return { q: params.term || "" }; },
        processResults: function (data) { return { results: data.results || [] }; },
        cache: true
      }
    });
  }
  $(function () {
    $("select.portal-ajax-select").each(function () { initAjaxSelect(this); });
  });
})(jQuery);
