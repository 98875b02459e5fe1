import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.tsx'
import { PanelProvider } from './context.tsx'
import { createPanelController } from './store.ts'
import type { PanelTransport } from './transport.ts'
import './panel.css'

/**
 * Panel bootstrap. Inside DevTools the transport is chrome.*; under `vite dev` in a normal tab it
 * is the scripted demo (the import is dropped from production builds by the DEV guard).
 */
async function pickTransport(): Promise<PanelTransport | null> {
  if (typeof chrome !== 'undefined' && chrome.devtools?.inspectedWindow) return (await import('../devtools/chrome-transport.ts')).createChromeTransport()
  if (import.meta.env.DEV) return (await import('./demo-transport.ts')).createDemoTransport()
  return null
}

const root = createRoot(document.getElementById('root') as HTMLElement)
void pickTransport().then((transport) => {
  if (!transport) {
    root.render(<p className="empty">This page is the AuthLens DevTools panel: open DevTools (F12) on a page and choose the AuthLens tab.</p>)
    return
  }
  const controller = createPanelController(transport)
  controller.start()
  root.render(
    <StrictMode>
      <PanelProvider store={controller.store}>
        <App />
      </PanelProvider>
    </StrictMode>,
  )
})
