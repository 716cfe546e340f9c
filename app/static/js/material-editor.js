/* The small toolbar of the socialization material editor (templates/portal/socialization/edit.html): wraps
 * the selected text of the textarea in a tag, makes a list of the selected lines, a link or a table skeleton.
 * Plain DOM, nothing loaded from elsewhere; the server sanitises whatever is posted. The toolbar stays hidden
 * when this script does not run. */
(function () {
  "use strict";
  function replaceSelection(area, make) {
    var start = area.selectionStart, end = area.selectionEnd;
    var text = make(area.value.slice(start, end));
    area.value = area.value.slice(0, start) + text + area.value.slice(end);
    area.focus();
    area.selectionStart = start;
    area.selectionEnd = start + text.length;
  }
  function escapeAttr(value) {
    return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  }
  function init(toolbar) {
    var area = document.getElementById(toolbar.getAttribute("data-target"));
    if (!area) { return; }
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      event.preventDefault();
      var tag = button.getAttribute("data-wrap");
      var list = button.getAttribute("data-list");
      if (tag) {
        replaceSelection(area, function (s) { return "<" + tag + ">" + s + "</" + tag + ">"; });
      } else if (list) {
        replaceSelection(area, function (s) {
          var lines = s.split(/\n/).filter(function (l) { return l.trim() !== ""; });
          if (!lines.length) { lines = [""]; }
          return "<" + list + ">\n" + lines.map(function (l) { return "<li>" + l.trim() + "</li>"; }).join("\n") +
            "\n</" + list + ">";
        });
      } else if (button.hasAttribute("data-link")) {
        var href = window.prompt(button.getAttribute("data-prompt") || "URL", "https://");
        if (!href || !/^(https?:\/\/|mailto:)/i.test(href)) { return; }
        replaceSelection(area, function (s) { return "<a href=\"" + escapeAttr(href) + "\">" + (s || href) + "</a>"; });
      } else if (button.hasAttribute("data-table")) {
        replaceSelection(area, function (s) {
          return s + "\n<table class=\"table table-bordered\">\n<thead><tr><th></th><th></th></tr></thead>\n" +
            "<tbody>\n<tr><td></td><td></td></tr>\n</tbody>\n</table>\n";
        });
      }
    });
  }
  var toolbars = document.querySelectorAll(".portal-editor-toolbar");
  for (var i = 0; i < toolbars.length; i++) { init(toolbars[i]); }
}());
