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
