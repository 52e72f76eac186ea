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
