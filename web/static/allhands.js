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
