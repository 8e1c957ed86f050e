/* Upload page: drop files on a zone, see what was chosen, hear about a file that is too big.
 *
 * Progressive enhancement only. The real <input type="file"> stays the way to choose files with
 * the keyboard and with a screen reader, and it is also what gets sent: a drop fills that very
 * input, so the form posts exactly as without this script. Files over the limit are refused here
 * already, so nobody waits for a 50 MB upload the server would refuse anyway; the server still
 * checks every file, since this check is only a courtesy.
 */
(function () {
  "use strict";

  var zone = document.getElementById("files-drop");
  var chosen = document.getElementById("files-chosen");
  if (!zone || !chosen || !window.DataTransfer || !window.FileList) {
    return;
  }
  var input = document.getElementById(zone.getAttribute("data-for"));
  if (!input) {
    return;
  }
  var form = input.form;
  var maxBytes = parseInt(zone.getAttribute("data-max-bytes"), 10);
  var tooLargeMessage = zone.getAttribute("data-too-large");
  var fileError = zone.getAttribute("data-file-error");
  var locale = document.documentElement.lang || "de";
  var errorId = input.id + "-client-error";

  function size(bytes) {
    var units = [["MB", 1024 * 1024], ["KB", 1024]];
    for (var i = 0; i < units.length; i += 1) {
      if (bytes >= units[i][1]) {
        var value = bytes / units[i][1];
        return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value) + " " + units[i][0];
      }
    }
    return new Intl.NumberFormat(locale).format(bytes) + " B";
  }

  function tooLarge(files) {
    return Array.prototype.filter.call(files, function (file) {
      return file.size > maxBytes;
    });
  }

  function describedBy(add) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return id && id !== errorId;
    });
    if (add) {
      ids.unshift(errorId);
    }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  function showError(files) {
    var old = document.getElementById(errorId);
    if (old) {
      old.remove();
    }
    var field = input.closest(".form-field");
    if (!files.length) {
      describedBy(false);
      if (!field.querySelector(".field-error")) {
        input.removeAttribute("aria-invalid");
        field.classList.remove("has-error");
      }
      return;
    }
    var error = document.createElement("p");
    error.className = "field-error";
    error.id = errorId;
    error.setAttribute("role", "alert");
    error.textContent = files.map(function (file) {
      // The sentence comes translated from the page; only the values are filled in here.
      return fileError.replace("{filename}", file.name).replace("{size}", size(file.size))
        .replace("{reason}", tooLargeMessage);
    }).join(" ");
    input.insertAdjacentElement("afterend", error);
    input.setAttribute("aria-invalid", "true");
    field.classList.add("has-error");
    describedBy(true);
  }

  // The server's message about the last attempt ("Bitte wählen Sie mindestens eine Datei aus.",
  // a refused file) is stale once other files are chosen: take it from the field, from the error
  // summary and, when nothing else is wrong, the "Fehler:" from the title.
  function clearServerError() {
    var serverError = document.getElementById(input.id + "-error");
    if (!serverError) {
      return;
    }
    var box = serverError.closest(".kern-error") || serverError;
    box.remove();
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return id && id !== input.id + "-error";
    });
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
    if (!document.getElementById(errorId)) {
      input.removeAttribute("aria-invalid");
      input.classList.remove("kern-form-input__input--error");
      var field = input.closest(".form-field");
      field.classList.remove("has-error", "kern-form-input--error");
    }
    var summary = document.getElementById("error-summary");
    if (summary) {
      var link = summary.querySelector("a[href='#" + input.id + "']");
      if (link) {
        link.closest("li").remove();
      }
      if (!summary.querySelector("li")) {
        var prefix = summary.getAttribute("data-title-prefix") || "";
        summary.remove();
        if (prefix && document.title.indexOf(prefix) === 0) {
          document.title = document.title.slice(prefix.length);
        }
      }
    }
  }

  function listChosen() {
    while (chosen.firstChild) {
      chosen.removeChild(chosen.firstChild);
    }
    if (!input.files.length) {
      return;
    }
    var heading = document.createElement("p");
    heading.className = "chosen-files-heading";
    heading.textContent = chosen.getAttribute("data-heading");
    var list = document.createElement("ul");
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " – " + size(file.size);
      list.appendChild(item);
    });
    chosen.appendChild(heading);
    chosen.appendChild(list);
  }

  input.addEventListener("change", function () {
    if (input.files.length) {
      clearServerError();
    }
    showError(tooLarge(input.files));
    listChosen();
  });

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("drop-zone-active");
    });
  });
  ["dragleave", "dragend"].forEach(function (name) {
    zone.addEventListener(name, function () {
      zone.classList.remove("drop-zone-active");
    });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("drop-zone-active");
    var files = event.dataTransfer ? event.dataTransfer.files : null;
    if (!files || !files.length) {
      return;
    }
    var refused = tooLarge(files);
    showError(refused);
    if (refused.length) {
      return;
    }
    // A FileList cannot be built directly; a DataTransfer's can be handed to the input.
    var transfer = new DataTransfer();
    Array.prototype.forEach.call(files, function (file) {
      transfer.items.add(file);
    });
    input.files = transfer.files;
    clearServerError();
    listChosen();
  });

  form.addEventListener("submit", function (event) {
    var refused = tooLarge(input.files);
    if (refused.length) {
      event.preventDefault();
      showError(refused);
      input.focus();
    }
  });

  zone.hidden = false;
})();
