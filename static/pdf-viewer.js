// The page view of the preview (templates/preview.html): PDF.js, vendored under static/vendor/pdfjs/
// by `make`, draws one page at a time onto a canvas, with buttons to turn the pages. Progressive:
// the section stays hidden until the first page is drawn, and the text of the file below it is
// the preview for everyone without scripts, without the vendored files or with a screen reader.
// Everything is loaded from this origin; no inline script, no eval (isEvalSupported: false).

const viewer = document.querySelector(".pdf-viewer[data-src]");

async function start(section) {
  const pdfjs = await import(section.dataset.pdfjs);
  pdfjs.GlobalWorkerOptions.workerSrc = section.dataset.worker;
  const task = pdfjs.getDocument({
    url: section.dataset.src,
    isEvalSupported: false,
    enableXfa: false,
    standardFontDataUrl: section.dataset.fonts,
    wasmUrl: section.dataset.fonts.replace(/standard_fonts\/$/, "wasm/"),
  });
  const pdf = await task.promise;
  const canvas = section.querySelector(".pdf-viewer__canvas");
  const status = section.querySelector(".pdf-viewer__status");
  const previous = section.querySelector(".pdf-viewer__previous");
  const next = section.querySelector(".pdf-viewer__next");
  let number = 1;
  let rendering = null;

  // aria-disabled rather than disabled: a button that is disabled under the keyboard's focus
  // would drop the focus to the start of the page.
  function mark(button, off) {
    button.setAttribute("aria-disabled", off ? "true" : "false");
  }

  async function show(wanted) {
    if (wanted < 1 || wanted > pdf.numPages) {
      return;
    }
    number = wanted;
    if (rendering) {
      rendering.cancel();
    }
    const page = await pdf.getPage(number);
    // The parent: the section itself has no width while it is still hidden.
    const width = Math.max(280, Math.min(section.parentElement.clientWidth, 960));
    const scale = width / page.getViewport({ scale: 1 }).width;
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale: scale * ratio });
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = `${Math.floor(viewport.width / ratio)}px`;
    rendering = page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport });
    try {
      await rendering.promise;
    } catch (error) {
      if (error && error.name === "RenderingCancelledException") {
        return;
      }
      throw error;
    }
    rendering = null;
    status.textContent = section.dataset.pageLabel.replace("{n}", number).replace("{total}", pdf.numPages);
    section.dataset.page = String(number);
    mark(previous, number === 1);
    mark(next, number === pdf.numPages);
  }

  previous.addEventListener("click", () => show(number - 1));
  next.addEventListener("click", () => show(number + 1));
  await show(1);
  section.hidden = false;
}

if (viewer) {
  start(viewer).catch(() => {
    // The text below stays the preview; say so only where the viewer was to appear.
    const note = document.createElement("p");
    note.className = "kern-hint hint pdf-viewer__failed";
    note.textContent = viewer.dataset.failed;
    viewer.querySelectorAll(".pdf-viewer__toolbar, .pdf-viewer__canvas").forEach((element) => element.remove());
    viewer.append(note);
    viewer.hidden = false;
  });
}
