// health-writer HTML report: link highlights and notes both ways, and filter by severity.
// Plain DOM, no libraries, nothing fetched. The report is readable without it.
(function () {
  "use strict";
  var marksOf = {};   // finding id -> [mark elements]
  var marks = document.querySelectorAll("mark.hl");
  Array.prototype.forEach.call(marks, function (mark) {
    (mark.getAttribute("data-findings") || "").split(" ").forEach(function (id) {
      if (!id) { return; }
      (marksOf[id] = marksOf[id] || []).push(mark);
    });
  });
  var findings = document.querySelectorAll("li.finding");

  function clearActive() {
    Array.prototype.forEach.call(document.querySelectorAll(".active"), function (el) {
      el.classList.remove("active");
    });
  }

  function activate(id, scrollTo) {
    clearActive();
    var card = document.getElementById(id);
    var own = marksOf[id] || [];
    own.forEach(function (m) { m.classList.add("active"); });
    if (card) { card.classList.add("active"); }
    if (scrollTo === "mark" && own.length) {
      own[0].scrollIntoView({ block: "center" });
    } else if (scrollTo === "card" && card) {
      card.scrollIntoView({ block: "nearest" });
    }
  }

  Array.prototype.forEach.call(findings, function (card) {
    var id = card.getAttribute("data-finding");
    var count = (marksOf[id] || []).length;
    card.setAttribute("data-marks", String(count));
    if (!count) { card.classList.add("unplaced"); }
    card.addEventListener("click", function (event) {
      if (event.target.closest("summary")) { return; }
      activate(id, "mark");
    });
    card.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { activate(id, "mark"); }
    });
  });

  Array.prototype.forEach.call(marks, function (mark) {
    mark.addEventListener("click", function () {
      var ids = (mark.getAttribute("data-findings") || "").split(" ");
      var visible = ids.filter(function (id) {
        var card = document.getElementById(id);
        return card && !card.classList.contains("hidden");
      });
      if (visible.length) { activate(visible[0], "card"); }
    });
  });

  function applyFilters() {
    var shown = {};
    Array.prototype.forEach.call(document.querySelectorAll("[data-filter]"), function (box) {
      shown[box.getAttribute("data-filter")] = box.checked;
    });
    Array.prototype.forEach.call(findings, function (card) {
      card.classList.toggle("hidden", !shown[card.getAttribute("data-severity")]);
    });
    Array.prototype.forEach.call(marks, function (mark) {
      var ids = (mark.getAttribute("data-findings") || "").split(" ");
      var anyShown = ids.some(function (id) {
        var card = document.getElementById(id);
        return card && !card.classList.contains("hidden");
      });
      mark.classList.toggle("hidden", !anyShown);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter]"), function (box) {
    box.addEventListener("change", applyFilters);
  });

  document.body.setAttribute("data-findings", String(findings.length));
  document.body.setAttribute("data-linked", String(Object.keys(marksOf).length));
  document.documentElement.setAttribute("data-ready", "true");
})();
