/* heroku-gatekeeper HTML report: sort and filter the apps table, without a server.
   Without JavaScript the table is complete and in report order; the controls stay hidden. */
(function () {
  "use strict";
  var table = document.getElementById("apps-table");
  var controls = document.getElementById("apps-controls");
  if (!table || !controls || !table.tBodies.length) {
    return;
  }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var filter = document.getElementById("apps-filter");
  var decision = document.getElementById("apps-decision");
  var count = document.getElementById("apps-count");

  function apply() {
    var query = filter.value.trim().toLowerCase();
    var wanted = decision.value;
    var shown = 0;
    rows.forEach(function (row) {
      var visible = (!wanted || row.getAttribute("data-decision") === wanted) &&
        (!query || row.textContent.toLowerCase().indexOf(query) !== -1);
      row.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    count.textContent = shown + " of " + rows.length + " apps shown";
  }

  function sortKey(row, column) {
    var cell = row.cells[column];
    var key = cell.getAttribute("data-sort");
    return key !== null ? key : cell.textContent.trim().toLowerCase();
  }

  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    button.title = "Sort by " + th.textContent;
    th.textContent = "";
    th.appendChild(button);
    th.setAttribute("aria-sort", "none");
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = sortKey(a, column);
        var y = sortKey(b, column);
        var order = x < y ? -1 : (x > y ? 1 : 0);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { tbody.appendChild(row); });
    });
  });

  filter.addEventListener("input", apply);
  decision.addEventListener("change", apply);
  controls.hidden = false;
  apply();
}());
