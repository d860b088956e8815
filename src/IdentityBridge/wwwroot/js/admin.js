// Progressive enhancement for the admin console: every form works without this file.
(() => {
  "use strict";

  // Redirect URIs checked as the admin types, with the server's own rules.
  const checkUris = async (area, output, typeField) => {
    const lines = area.value.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
    const clientType = typeField ? typeField.value : "confidential";
    const problems = [];
    for (const [index, uri] of lines.entries()) {
      const url = `/admin/api/validate/redirect-uri?clientType=${encodeURIComponent(clientType)}&uri=${encodeURIComponent(uri)}`;
      let response;
      try {
        response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      } catch {
        return;
      }
      if (!response.ok) return;
      const result = await response.json();
      if (!result.valid) problems.push(`Line ${index + 1} (${uri}): ${result.error}`);
    }
    output.replaceChildren(...problems.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
    area.setAttribute("aria-invalid", problems.length > 0 ? "true" : "false");
  };

  for (const area of document.querySelectorAll("textarea[data-validate-uris]")) {
    const output = document.getElementById(area.dataset.validateUris);
    const typeField = area.dataset.clientType ? document.getElementById(area.dataset.clientType) : null;
    if (!output) continue;
    let timer;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => checkUris(area, output, typeField), 300);
    };
    area.addEventListener("input", schedule);
    typeField?.addEventListener("change", schedule);
    if (area.value.trim().length > 0) schedule();
  }

  // Destructive actions ask first.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // One-time secrets are selected on focus, ready to copy.
  for (const field of document.querySelectorAll("[data-select-on-focus]")) {
    field.addEventListener("focus", () => field.select());
  }
})();
