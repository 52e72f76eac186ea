import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built with NODE_ENV=development (cargo xtask test): React's development build, in which
// StrictMode mounts every component twice, as in a merchant's dev server.
export default defineConfig({
  plugins: [react()],
  // One React, wherever a package is installed from.
  resolve: { dedupe: ['react', 'react-dom'] },
  build: { minify: false, sourcemap: false },
  logLevel: 'warn',
});
