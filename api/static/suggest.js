/* Name suggestions as you type: fills the <datalist> of every input[data-suggest]
 * from the same-origin JSON endpoint /suggest. Values are set as text, never as HTML. */
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var timer = null, last = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (q === last || q.length < 1) { return; }
      last = q;
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = "/suggest?limit=10&scope=" + encodeURIComponent(input.getAttribute("data-suggest") || "all") +
                  "&q=" + encodeURIComponent(q);
        fetch(url, { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            while (list.firstChild) { list.removeChild(list.firstChild); }
            items.forEach(function (item) {
              var opt = document.createElement("option");
              opt.value = item.name;
              opt.label = item.kind_zh + " · " + item.id;
              list.appendChild(opt);
            });
          })
          .catch(function () { /* suggestions are a convenience; typing still works */ });
      }, 150);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < inputs.length; i++) { attach(inputs[i]); }
  });
})();
