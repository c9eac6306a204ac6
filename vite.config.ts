// Vite builds the renderer (React) into dist/renderer, loaded by both hosts:
// Electron from its app bundle and browser mode (`edw serve`) over loopback HTTP.
// base './' keeps every asset URL relative so either host can serve the same files.
//
// Dev server: `EDW_API=http://127.0.0.1:PORT EDW_TOKEN=TOKEN npx vite` proxies /api to a
// running `edw serve` and injects its token the way the real server does.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

function devToken(token: string | undefined): Plugin {
  return {
    name: 'edw-dev-token',
    apply: 'serve',
    transformIndexHtml(html) {
      if (!token) return html;
      return html.replace('</head>', `<meta name="edw-token" content="${token}"></head>`);
    },
  };
}

const apiTarget = process.env.EDW_API;

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), devToken(process.env.EDW_TOKEN)],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // Both hosts run a current Chromium: no module-preload polyfill needed.
    modulePreload: { polyfill: false },
    // The grid and chart libraries get chunks of their own: loaded lazily by the pages that
    // use them, cached across pages. ag-grid alone is ~1 MB minified.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // React first, so the library groups below do not pull it in as a dependency.
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/,
              priority: 3,
            },
            {
              name: 'ag-grid',
              test: /node_modules[\\/](ag-grid-community|ag-grid-react|ag-stack)[\\/]/,
              priority: 2,
            },
            {
              name: 'echarts',
              test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/,
              priority: 1,
            },
          ],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    ...(apiTarget ? { proxy: { '/api': { target: apiTarget, changeOrigin: true } } } : {}),
  },
});
