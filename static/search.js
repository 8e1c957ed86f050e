/* Search page: facets and sort apply at once, without reloading the page.
 *
 * Progressive enhancement only. Without this script the filter and sort forms are ordinary GET
 * forms with their own submit buttons, and they stay so: the script asks the server for the very
 * page the form would have loaded, swaps the changed regions in and records the address with
 * history.pushState, so the address stays shareable and Back/Forward walk through the filters.
 * Keyboard focus stays on the control that changed, and a live region that is never replaced
 * announces the new number of hits (a replaced role="status" element is not reliably read).
 * Any failure falls back to loading the page normally.
 */
(function () {
  "use strict";

  if (!window.fetch || !window.history || !window.history.pushState || !window.DOMParser ||
      !window.URLSearchParams || !window.FormData) {
    return;
  }
  var page = document.querySelector(".search-page");
  if (!page) {
    return;
  }

  // The regions the server renders anew for every filter: the facets and hits, and the hidden
  // fields of the search box that carry the filters into the next text search.
  var REGIONS = [".search-layout", ".search-form", ".notice-error"];
  var controller = null;

  var announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("aria-live", "polite");
  announcer.setAttribute("aria-atomic", "true");
  announcer.id = "search-announcer";
  page.appendChild(announcer);

  function addressOf(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "") {
        params.append(key, value);
      }
    });
    var query = params.toString();
    return form.action.split("?")[0] + (query ? "?" + query : "");
  }

  /* A selector that finds the same control in the new page: facet checkboxes are numbered by
   * position, which changes with the counts, so they are found by name and value. */
  function locatorOf(element) {
    if (element && element.type === "submit" && element.form && element.form.classList.length) {
      return "form." + CSS.escape(element.form.classList[0]) + " [type=submit]";
    }
    if (!element || !element.name) {
      return null;
    }
    if (element.type === "checkbox" || element.type === "radio") {
      return "input[type='" + element.type + "'][name='" + CSS.escape(element.name) + "'][value='" + CSS.escape(element.value) + "']";
    }
    return element.id ? "#" + CSS.escape(element.id) : null;
  }

  function replaceRegions(fresh) {
    var typed = page.querySelector("#search-q");
    var typedValue = typed && typed.value !== typed.defaultValue ? typed.value : null;
    // The filters stay open or closed as the visitor left them, whatever the new page says.
    var disclosure = page.querySelector(".filter-disclosure");
    var freshDisclosure = fresh.querySelector(".filter-disclosure");
    if (disclosure && freshDisclosure) {
      freshDisclosure.open = disclosure.open;
    }
    REGIONS.forEach(function (selector) {
      var old = page.querySelector(selector);
      var next = fresh.querySelector(".search-page " + selector);
      if (old && next) {
        old.replaceWith(document.importNode(next, true));
      } else if (old) {
        old.remove();
      } else if (next) {
        page.querySelector(".search-layout").insertAdjacentElement("beforebegin", document.importNode(next, true));
      }
    });
    if (typedValue !== null) {
      page.querySelector("#search-q").value = typedValue;
    }
  }

  function load(url, focusSelector, push) {
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    var activeAtStart = document.activeElement;
    var layout = page.querySelector(".search-layout");
    if (layout) {
      layout.setAttribute("aria-busy", "true");
    }
    return fetch(url, {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("text/html") === -1) {
          throw new Error("not a page");
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (!fresh.querySelector(".search-page .search-layout")) {
          throw new Error("not a search page");
        }
        // Focus follows the visitor, not the request: by the time the answer arrives they may
        // have moved on to the next control, and pulling focus back to the one that changed
        // would make their next key press act on the wrong control.
        var active = document.activeElement;
        var focusLost = !active || active === document.body;
        var wanted = null;
        var restore = false;
        if (active === activeAtStart || focusLost) {
          wanted = focusSelector;  // still on (or lost from) the control that changed
          restore = !!focusSelector;
        } else if (REGIONS.some(function (selector) {
          var region = page.querySelector(selector);
          return region && region.contains(active);
        })) {
          wanted = locatorOf(active);  // moved on to a control the new page replaces
          restore = true;
        }  // else: moved on outside the replaced regions, where focus stays as it is
        replaceRegions(fresh);
        document.title = fresh.title;
        if (push) {
          window.history.pushState({ toolboxSearch: true }, "", url);
        }
        if (restore) {
          var target = wanted ? page.querySelector(wanted) : null;
          if (!target) {
            // The control is gone (a facet value without hits): keep focus near, not on <body>.
            target = page.querySelector(".filter-summary");
          }
          if (target) {
            target.focus();
          }
        }
        var count = page.querySelector(".result-count");
        announcer.textContent = count ? count.textContent.trim() : "";
        enhance();
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        window.location.assign(url);
      });
  }

  function enhance() {
    var filters = page.querySelector("form.search-filters");
    var sort = page.querySelector("form.sort-form");
    if (filters) {
      filters.addEventListener("change", function (event) {
        if (event.target.type === "checkbox") {
          load(addressOf(filters), locatorOf(event.target), true);
        }
      });
      filters.addEventListener("submit", function (event) {
        event.preventDefault();
        load(addressOf(filters), locatorOf(document.activeElement), true);
      });
    }
    if (sort) {
      sort.addEventListener("change", function (event) {
        if (event.target.tagName === "SELECT") {
          load(addressOf(sort), locatorOf(event.target), true);
        }
      });
      sort.addEventListener("submit", function (event) {
        event.preventDefault();
        load(addressOf(sort), locatorOf(document.activeElement), true);
      });
    }
  }

  // On a narrow screen the filters start closed, so that the hits follow the search box; the
  // page is served with them open, which is what a browser without this script shows.
  var startDisclosure = page.querySelector(".filter-disclosure");
  if (startDisclosure && window.matchMedia && window.matchMedia("(max-width: 50rem)").matches) {
    startDisclosure.open = false;
  }

  // The entry the visitor arrived on gets a state too, so Back to it is handled here as well.
  window.history.replaceState({ toolboxSearch: true }, "", window.location.href);
  window.addEventListener("popstate", function (event) {
    if (event.state && event.state.toolboxSearch) {
      load(window.location.href, locatorOf(document.activeElement), false);
    }
  });
  enhance();
})();
