import { createContext, useContext, type ReactNode } from 'react'
import { useStore } from 'zustand'
import type { StoreApi } from 'zustand/vanilla'
import type { PanelState } from './store.ts'

const PanelContext = createContext<StoreApi<PanelState> | null>(null)

export function PanelProvider({ store, children }: { store: StoreApi<PanelState>; children: ReactNode }) {
  return <PanelContext.Provider value={store}>{children}</PanelContext.Provider>
}

/** Select a slice of panel state. Selectors must return stored values, not new objects. */
export function usePanel<T>(selector: (state: PanelState) => T): T {
  const store = useContext(PanelContext)
  if (!store) throw new Error('usePanel outside <PanelProvider>')
  return useStore(store, selector)
}
