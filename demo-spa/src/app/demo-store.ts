import { create } from 'zustand'
import { modeFromUrl, urlForMode, type ModeId } from '../modes.ts'
import { connect, type Connection } from './connect.ts'
import { finishSignInAtProvider, isRedirectCallback } from '../features/sso/provider-sign-in.ts'
import { addLog, type Tone } from './log-store.ts'
import { mockControls, type BackendSnapshot } from './mock-controls.ts'

/** What a break-it action did, as the panel shows it. */
export interface ActionResult {
  tone: Tone
  summary: string
  steps: string[]
  /** Raw text worth showing as is (what an XSS read could send away). */
  evidence?: string
}

interface DemoState {
  connection: Connection
  /** The mock backend's faults and clock, as last read from `/__mock/stats`. */
  backend: BackendSnapshot | null
  /** Bumped to make the notes list load again (after a break-it action changed things). */
  notesRevision: number
  results: Partial<Record<string, ActionResult>>
  running: string | null
  switchMode(mode: ModeId): void
  syncBackend(): Promise<BackendSnapshot | null>
  reloadNotes(): void
  setResult(id: string, result: ActionResult): void
  setRunning(id: string | null): void
}

/**
 * The demo's own state (not auth state: that is the SDK's store, read through
 * `@authlens/sdk/react`). Created once the backend can answer: creating it creates the first client.
 */
export const useDemo = create<DemoState>()((set, get) => ({
  connection: connect(modeFromUrl(new URL(location.href))),
  backend: null,
  notesRevision: 0,
  results: {},
  running: null,
  switchMode(mode) {
    const current = get().connection
    if (current.mode === mode) return
    // The old client must let go of its timers and channels before the new one starts.
    current.dispose()
    history.replaceState(history.state, '', urlForMode(new URL(location.href), mode))
    set({ connection: connect(mode), results: {}, running: null })
  },
  async syncBackend() {
    try {
      const backend = await mockControls.stats()
      set({ backend })
      return backend
    } catch {
      addLog({ source: 'demo', title: 'backend stats unavailable', detail: 'GET /__mock/stats failed', tone: 'warn' })
      return null
    }
  },
  reloadNotes: () => set((state) => ({ notesRevision: state.notesRevision + 1 })),
  setResult: (id, result) => set((state) => ({ results: { ...state.results, [id]: result } })),
  setRunning: (running) => set({ running }),
}))

/** Server time in milliseconds, as the mock backend's clock (possibly skewed on purpose) sees it. */
export const serverNow = (): number => Date.now() + (useDemo.getState().backend?.clockOffsetSeconds ?? 0) * 1000

// The provider sent the browser back here: finish the sign-in once (outside React, whose strict
// mode runs effects twice, and a callback's state is good for one use), then return to where it began.
if (isRedirectCallback(new URL(location.href))) {
  void finishSignInAtProvider(useDemo.getState().connection.client, 'a', 'App A').then((appState) => {
    const returnTo = (appState as { returnTo?: unknown } | undefined)?.returnTo
    // Only a path of this origin: the state came back through the address bar.
    history.replaceState(history.state, '', typeof returnTo === 'string' && /^\/(?!\/)/.test(returnTo) ? returnTo : urlForMode(new URL(location.origin), 'oidc'))
  })
}

// During development, a hot update of this module must not leave the old client running.
import.meta.hot?.dispose(() => useDemo.getState().connection.dispose())
