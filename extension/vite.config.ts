import { fileURLToPath } from 'node:url'
import { crx } from '@crxjs/vite-plugin'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { manifestFor, type TargetBrowser } from './src/manifest.ts'

/**
 * `vite build` writes the unpacked Chrome extension to `dist/`; `vite build --mode firefox` the
 * Firefox add-on to `dist-firefox/`, from the same sources. `vite` serves it with HMR through
 * @crxjs and writes a development copy to `dist-dev/` (a separate folder, so a dev session never
 * leaves `dist/` pointing at a server that is gone); the panel page alone
 * (http://localhost:5174/src/panel/panel.html) also runs in a normal tab there, on a fake
 * transport with a scripted sign-in.
 */
export default defineConfig(({ command, mode }) => {
  const browser: TargetBrowser = mode === 'firefox' ? 'firefox' : 'chrome'
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    plugins: [react(), crx({ manifest: manifestFor(browser), browser })],
    build: {
      outDir: command === 'serve' ? 'dist-dev' : browser === 'firefox' ? 'dist-firefox' : 'dist',
      emptyOutDir: true,
      // Both browsers support modulepreload; the polyfill would only add a file.
      modulePreload: { polyfill: false },
      // The panel page is opened by `devtools.panels.create`, not named in the manifest.
      rolldownOptions: { input: { panel: 'src/panel/panel.html' } },
    },
    server: { port: 5174, strictPort: true, host: 'localhost' },
  }
})
