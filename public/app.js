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
  const tick = () => {
    const left = Math.max(0, until - (Date.now() + offset));
    const total = Math.ceil(left / 60000);
    const [h, m] = [Math.floor(total / 60), total % 60];
    // No zero part is said: "in 2 min", "in 5 h" (the server picks the same way).
    const format =
      h === 0 ? el.dataset.countdownFormatMinutes : m === 0 ? el.dataset.countdownFormatHours : el.dataset.countdownFormat;
    el.textContent = format.replace('{h}', String(h)).replace('{m}', String(m));
    if (left > 0) setTimeout(tick, 30000);
  };
  tick();
}
