// Progressive enhancement only: every page works without this file.
document.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.showPassword) return;
  const input = document.getElementById(box.dataset.showPassword);
  if (input instanceof HTMLInputElement) input.type = box.checked ? 'text' : 'password';
});

// The incident page's countdown: the server rendered the remaining time from its own clock; this
// only keeps counting down from there, so a wrong clock on the device cannot mislead.
for (const el of document.querySelectorAll('[data-countdown-until]')) {
  const until = Date.parse(el.dataset.countdownUntil);
  const offset = Date.parse(el.dataset.countdownNow) - Date.now();
  const format = el.dataset.countdownFormat;
  const tick = () => {
    const left = Math.max(0, until - (Date.now() + offset));
    const minutes = Math.ceil(left / 60000);
    el.textContent = format.replace('{h}', String(Math.floor(minutes / 60))).replace('{m}', String(minutes % 60));
    if (left > 0) setTimeout(tick, 30000);
  };
  tick();
}
