// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) return;
  navigator.clipboard.writeText(field.value).then(() => {
    button.textContent = "Copied";
  });
});

// A calendar feed links to /rotations/<slug>#shift-<id>; the fragment never reaches the
// server, so when that shift is in another month, ask for the month that holds it.
(() => {
  const match = /^#shift-(\d+)$/.exec(window.location.hash);
  if (!match || document.getElementById(`shift-${match[1]}`)) return;
  if (!document.querySelector("table.calendar")) return;
  const url = new URL(window.location.href);
  if (url.searchParams.has("shift")) return;
  url.searchParams.delete("month");
  url.searchParams.set("shift", match[1]);
  window.location.replace(url.toString());
})();

// A form marked data-keep-scroll reloads its page with the reader's item where it was on the
// screen, not at the top (without this script the server's redirect to the item's anchor
// brings them near it). A message added above the item would otherwise push it down.
(() => {
  const KEY = "allhands-scroll";
  document.addEventListener("submit", (event) => {
    if (!event.target.matches("form[data-keep-scroll]")) return;
    const item = event.target.closest("[id]");
    const where = {
      path: window.location.pathname,
      y: window.scrollY,
      id: item ? item.id : null,
      top: item ? item.getBoundingClientRect().top : 0,
    };
    sessionStorage.setItem(KEY, JSON.stringify(where));
  });
  const saved = sessionStorage.getItem(KEY);
  if (!saved) return;
  sessionStorage.removeItem(KEY);
  const where = JSON.parse(saved);
  if (where.path !== window.location.pathname) return;
  const restore = () => {
    const item = where.id && document.getElementById(where.id);
    if (item) window.scrollBy(0, item.getBoundingClientRect().top - where.top);
    else window.scrollTo(0, where.y);
  };
  restore();
  // The browser may still scroll to the URL's fragment after this runs: settle once loaded.
  window.addEventListener("load", () => requestAnimationFrame(restore), { once: true });
})();

// A select marked data-filters="<id>" narrows the select <id> to the options whose
// data-for lists its value: the swap form offers only trades and covers that would be
// accepted for the shift chosen. Without this script the server refuses a mismatch clearly.
(() => {
  const narrow = (chooser) => {
    const target = document.getElementById(chooser.dataset.filters);
    if (!target) return;
    let firstFitting = null;
    for (const option of target.options) {
      const fits = (option.dataset.for || "").split(" ").includes(chooser.value);
      option.hidden = !fits;
      option.disabled = !fits;
      if (fits && !firstFitting) firstFitting = option;
    }
    const chosen = target.selectedOptions[0];
    if ((!chosen || chosen.disabled) && firstFitting) firstFitting.selected = true;
  };
  for (const chooser of document.querySelectorAll("select[data-filters]")) {
    narrow(chooser);
    chooser.addEventListener("change", () => narrow(chooser));
  }
})();

// A person picker beside a list of emails: choosing someone adds their email on a new line.
for (const picker of document.querySelectorAll("[data-picker-for]")) {
  const list = document.getElementById(picker.dataset.pickerFor);
  const input = picker.querySelector("input");
  const button = picker.querySelector("button");
  if (!list || !input || !button) continue;
  picker.hidden = false;
  const add = () => {
    const email = input.value.trim();
    if (!email) return;
    const present = list.value.split(/[\s,]+/).filter(Boolean);
    if (!present.includes(email)) list.value = [...present, email].join("\n");
    input.value = "";
    input.focus();
  };
  button.addEventListener("click", add);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      add();
    }
  });
}
