/* Search suggestions from /api/v1/suggest in a native <datalist>.
 *
 * Progressive enhancement only: every search form works without this script, and nothing
 * here is inline, so a Content-Security-Policy without 'unsafe-inline' is fine. A datalist
 * keeps keyboard use and screen-reader announcements with the browser.
 */
(function () {
  "use strict";

  if (!window.fetch || !document.querySelectorAll) {
    return;
  }

  var MIN_LENGTH = 2;
  var DELAY_MS = 150;
  var counter = 0;

  function enhance(input) {
    var endpoint = input.getAttribute("data-autocomplete");
    if (!endpoint) {
      return;
    }
    counter += 1;
    var list = document.createElement("datalist");
    list.id = "search-suggestions-" + counter;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("list", list.id);

    var timer = null;
    var controller = null;
    var lastAsked = "";

    function show(suggestions) {
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      suggestions.forEach(function (text) {
        var option = document.createElement("option");
        option.value = String(text);
        list.appendChild(option);
      });
    }

    function ask(value) {
      if (controller) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      var url = endpoint + (endpoint.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(value);
      fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (input.value.trim() === value) {
            show(Array.isArray(data.suggestions) ? data.suggestions : []);
          }
        })
        .catch(function () {
          /* Suggestions are a convenience: a failed request changes nothing. */
        });
    }

    input.addEventListener("input", function () {
      var value = input.value.trim();
      window.clearTimeout(timer);
      if (value.length < MIN_LENGTH) {
        show([]);
        lastAsked = "";
        return;
      }
      if (value === lastAsked) {
        return;
      }
      timer = window.setTimeout(function () {
        lastAsked = value;
        ask(value);
      }, DELAY_MS);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-autocomplete]"), enhance);
})();
