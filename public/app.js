// Progressive enhancement only: every page works without this file.
document.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.showPassword) return;
  const input = document.getElementById(box.dataset.showPassword);
  if (input instanceof HTMLInputElement) input.type = box.checked ? 'text' : 'password';
});
