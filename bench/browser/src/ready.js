// ready_ms (issue 6), run in the demo shop's page through WebDriver: mounts a field with the
// shop's publishable key, times CardVault.mount() to its `ready` event with performance.now(),
// destroys it, and again; the median of the timed mounts after the warm-up ones.
window.cardvaultBench = {
  ready: async function ({ publishableKey, warmup, mounts }) {
    const times = [];
    for (let i = 0; i < warmup + mounts; i++) {
      const host = document.createElement('div');
      host.id = 'cardvault-bench-' + i;
      document.body.appendChild(host);
      const ms = await new Promise((resolve, reject) => {
        const start = performance.now();
        const card = CardVault.mount('#' + host.id, { publishableKey });
        card.on('ready', () => {
          const elapsed = performance.now() - start;
          card.destroy();
          resolve(elapsed);
        });
        card.on('error', (e) => {
          card.destroy();
          reject(new Error(e.code + ': ' + e.message));
        });
      });
      host.remove();
      if (i >= warmup) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const middle = times.length >> 1;
    return {
      median_ms: times.length % 2 ? times[middle] : (times[middle - 1] + times[middle]) / 2,
      min_ms: times[0],
      max_ms: times[times.length - 1],
      mounts: times.length,
    };
  },
};

// tokenize_click_ms (issue 26): one field, mounted into #cardvault-bench-tokenize and kept, for
// the driver to fill; then card.tokenize() timed to its resolution, again and again.
window.cardvaultBench.mountOne = function ({ publishableKey }) {
  return new Promise((resolve, reject) => {
    const host = document.createElement('div');
    host.id = 'cardvault-bench-tokenize';
    document.body.appendChild(host);
    const card = CardVault.mount('#' + host.id, { publishableKey });
    card.on('ready', () => {
      window.cardvaultBenchCard = card;
      resolve({ ready: true });
    });
    card.on('error', (e) => reject(new Error(e.code + ': ' + e.message)));
  });
};

window.cardvaultBench.tokenize = async function ({ warmup, count }) {
  const card = window.cardvaultBenchCard;
  const times = [];
  let last = null;
  for (let i = 0; i < warmup + count; i++) {
    const start = performance.now();
    last = await card.tokenize();
    const elapsed = performance.now() - start;
    if (i >= warmup) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  const middle = times.length >> 1;
  return {
    median_ms: times.length % 2 ? times[middle] : (times[middle - 1] + times[middle]) / 2,
    min_ms: times[0],
    max_ms: times[times.length - 1],
    count: times.length,
    // What the last one resolved with shows it was a real token of the card typed.
    last4: last && last.card && last.card.last4,
    token_prefix: last && typeof last.token === 'string' ? last.token.slice(0, 4) : null,
  };
};
