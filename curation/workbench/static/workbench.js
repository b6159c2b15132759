// The workbench's keyboard: move through the queue, decide and save without the mouse. No library, nothing fetched.
(function () {
  "use strict";
  const page = document.body.dataset.page;
  const typing = (el) => el && (el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName)
    || (el.tagName === "INPUT" && !["radio", "checkbox", "submit", "button"].includes(el.type)));
  const go = (key) => { const link = document.querySelector(`a[data-key="${key}"]`); if (link) window.location.href = link.href; };
  const keys = document.getElementById("keys");
  document.querySelectorAll("[data-help]").forEach((b) => b.addEventListener("click", () => { keys.hidden = !keys.hidden; }));

  function queueKeys(event) {
    const rows = [...document.querySelectorAll("#queue tbody tr")];
    if (!rows.length) return false;
    let at = rows.findIndex((row) => row.classList.contains("current"));
    if (event.key === "j" || event.key === "k") {
      at = event.key === "j" ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0);
      rows.forEach((row) => row.classList.remove("current"));
      rows[at].classList.add("current");
      rows[at].scrollIntoView({ block: "nearest" });
      return true;
    }
    if (event.key === "Enter" || event.key === "o") {
      window.location.href = rows[Math.max(at, 0)].dataset.href;
      return true;
    }
    return false;
  }

  function competitionKeys(event) {
    const form = document.getElementById("annotation-form");
    const choose = (name, value) => { const box = form.querySelector(`input[name="${name}"][value="${value}"]`); if (box) box.checked = true; };
    switch (event.key) {
      case "j": go("j"); return true;
      case "k": go("k"); return true;
      case "q": go("q"); return true;
      case "s": form.requestSubmit(document.getElementById("save")); return true;
      case "n": form.requestSubmit(document.getElementById("save-next")); return true;
      case "i": choose("decision", "include"); return true;
      case "x": choose("decision", "exclude"); return true;
      case "u": choose("decision", "undecided"); return true;
      case "1": choose("complexity", "low"); return true;
      case "2": choose("complexity", "medium"); return true;
      case "3": choose("complexity", "high"); return true;
      default: return false;
    }
  }

  document.addEventListener("keydown", (event) => {
    const form = document.getElementById("annotation-form");
    if (form && (event.ctrlKey || event.metaKey) && event.key === "s") {  // save, even while typing
      event.preventDefault();
      form.requestSubmit(document.getElementById("save"));
      return;
    }
    if (event.key === "Escape") { if (typing(document.activeElement)) document.activeElement.blur(); keys.hidden = true; return; }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "?") { keys.hidden = !keys.hidden; return; }
    const done = page === "queue" ? queueKeys(event) : page === "competition" ? competitionKeys(event) : false;
    if (done) event.preventDefault();
  });

  document.querySelectorAll("#queue tbody tr").forEach((row) => row.addEventListener("click", (event) => {
    if (event.target.tagName !== "A") window.location.href = row.dataset.href;
  }));
})();
