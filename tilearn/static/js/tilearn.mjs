// Progressive enhancement only: every page works without this file.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// The trainer's editor: keep the line numbers in step while typing, and let a checker
// message's "Line N" link put the cursor on that line.
for (const editor of document.querySelectorAll("[data-module='tl-editor']")) {
  const text = editor.querySelector("textarea");
  const numbers = editor.querySelector(".tl-editor__numbers");
  const count = () => text.value.split("\n").length + 2;
  const renumber = () => {
    for (let n = numbers.children.length + 1; n <= count(); n += 1) {
      const line = document.createElement("span");
      line.id = `line-${n}`;
      line.textContent = `${n}`;
      numbers.append(line, "\n");
    }
    text.rows = Math.max(count(), 12);
  };
  text.addEventListener("input", renumber);
  for (const link of document.querySelectorAll("a[data-line]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const lines = text.value.split("\n");
      const wanted = Math.min(Number(link.dataset.line), lines.length);
      const start = lines.slice(0, wanted - 1).reduce((sum, line) => sum + line.length + 1, 0);
      text.focus();
      text.setSelectionRange(start, start + lines[wanted - 1].length);
      numbers.querySelector(`#line-${wanted}`)?.scrollIntoView({ block: "center" });
    });
  }
}
