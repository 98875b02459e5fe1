import { create } from 'zustand'
import { EXPERIMENTS } from './experiments/index.ts'
import type { LabRow } from './types.ts'

interface LabState {
  rows: LabRow[]
  /** The experiment running now, or `null`. */
  running: string | null
  finishedAt: string | null
  runAll(): Promise<void>
}

/**
 * Runs the experiments one after another, never in parallel: they share the origin's cookies and
 * the server's clock and settings, so two at once would measure each other.
 */
export const useLab = create<LabState>()((set, get) => ({
  rows: [],
  running: null,
  finishedAt: null,
  async runAll() {
    if (get().running) return
    set({ rows: [], finishedAt: null })
    for (const experiment of EXPERIMENTS) {
      set({ running: experiment.title })
      let row: LabRow
      try {
        row = { kind: 'result', result: await experiment.run() }
      } catch (error) {
        row = { kind: 'failure', failure: { id: experiment.id, claim: experiment.claim, error: error instanceof Error ? error.message : String(error) } }
      }
      set((state) => ({ rows: [...state.rows, row] }))
    }
    set({ running: null, finishedAt: new Date().toISOString() })
  },
}))
