// The 3MBWT stopwatch: start and stop fill the time field; typing works as well.
function setUp(root) {
  const display = root.querySelector('#stopwatch-time');
  const start = root.querySelector('[data-stopwatch-start]');
  const stop = root.querySelector('[data-stopwatch-stop]');
  const reset = root.querySelector('[data-stopwatch-reset]');
  const field = document.getElementById('seconds');
  if (!display || !start || !stop || !reset) return;
  let startedAt = null;
  let frame = null;
  const show = (ms) => { display.textContent = (ms / 1000).toFixed(1); };
  const tick = () => { show(performance.now() - startedAt); frame = requestAnimationFrame(tick); };
  start.addEventListener('click', () => {
    startedAt = performance.now();
    start.disabled = true; stop.disabled = false;
    frame = requestAnimationFrame(tick);
    stop.focus();
  });
  stop.addEventListener('click', () => {
    if (startedAt === null) return;
    cancelAnimationFrame(frame);
    const seconds = (performance.now() - startedAt) / 1000;
    show(seconds * 1000);
    if (field) field.value = seconds.toFixed(2);
    startedAt = null;
    start.disabled = false; stop.disabled = true;
    field?.focus();
  });
  reset.addEventListener('click', () => {
    cancelAnimationFrame(frame);
    startedAt = null; show(0);
    start.disabled = false; stop.disabled = true;
  });
}

const bind = () => document.querySelectorAll('[data-stopwatch]').forEach((root) => {
  if (!root.dataset.bound) { root.dataset.bound = '1'; setUp(root); }
});
bind();
// htmx swaps the panel after a result: bind the new stopwatch.
document.body.addEventListener('htmx:afterSwap', bind);
