// Builds the storefront (ui/) into dist/ui, which @lab/web (src/index.ts) serves from every target.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./ui', import.meta.url)),
  base: '/',
  // No public/ dir: every file the shop needs is referenced from index.html and bundled.
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Small enough to inline nothing but tiny files; the shop draws its images as SVG itself.
    assetsInlineLimit: 4096,
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
