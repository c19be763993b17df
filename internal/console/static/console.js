// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("click", function (ev) {
  var b = ev.target.closest("button.copy[data-copy]");
  if (!b || !navigator.clipboard) return;
  navigator.clipboard.writeText(b.getAttribute("data-copy")).then(function () {
    var was = b.textContent;
    b.textContent = "Copied";
    setTimeout(function () { b.textContent = was; }, 1500);
  });
});
// Destructive actions: a form with data-confirm asks first, naming its target.
document.addEventListener("submit", function (ev) {
  var msg = ev.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) ev.preventDefault();
});
// The RAM logon: typing a bare name completes the account's domain.
document.addEventListener("change", function (ev) {
  var el = ev.target;
  if (!el.matches || !el.matches("input[data-domain]")) return;
  var d = el.getAttribute("data-domain");
  if (d && el.value && el.value.indexOf("@") < 0) el.value = el.value + "@" + d;
});
// A checkbox with data-gates keeps the named button disabled until ticked.
document.querySelectorAll("input[data-gates]").forEach(function (box) {
  var b = document.getElementById(box.getAttribute("data-gates"));
  if (!b) return;
  var sync = function () { b.disabled = !box.checked; };
  box.addEventListener("change", sync);
  sync();
});
// --- Resource Management (wt-rdact): a page whose state moves on by itself
// (a deletion check or a deletion running) reloads after data-autorefresh ms.
(function () {
  var el = document.querySelector("[data-autorefresh]");
  if (!el) return;
  var ms = parseInt(el.getAttribute("data-autorefresh"), 10) || 2000;
  setTimeout(function () { window.location.reload(); }, ms);
})();
// --- end wt-rdact
// --- RAM pages (ram_*.html): a header checkbox with data-select-all ticks
// the rows' checkboxes of that name (the Users list's batch bar).
document.addEventListener("change", function (ev) {
  var all = ev.target;
  if (!all.matches || !all.matches("input[data-select-all]")) return;
  var name = all.getAttribute("data-select-all");
  document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) { b.checked = all.checked; });
});
// --- end RAM pages
