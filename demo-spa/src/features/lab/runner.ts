import { create } from 'zustand'
import { backendInWorker } from '../../app/runtime.ts'
import { EXPERIMENTS } from './experiments/index.ts'
import type { Experiment, LabRow } from './types.ts'

interface LabState {
  rows: LabRow[]
  /** The experiment running now, or `null`. */
  running: string | null
  finishedAt: string | null
  runAll(): Promise<void>
}

/** One experiment as a row; a throw becomes a failure row so it cannot hide the others. */
async function runOne(experiment: Experiment): Promise<LabRow> {
  // Skipped, not failed: the worker build has no server process and serves one origin only, so
  // these would only measure the build's limits; the row says so instead.
  if (backendInWorker && experiment.needsHttpServer) {
    return { kind: 'unavailable', unavailable: { id: experiment.id, claim: experiment.claim, reason: `Not available in the worker build: ${experiment.needsHttpServer}` } }
  }
  try {
    return { kind: 'result', result: await experiment.run() }
  } catch (error) {
    return { kind: 'failure', failure: { id: experiment.id, claim: experiment.claim, error: error instanceof Error ? error.message : String(error) } }
  }
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
      const row = await runOne(experiment)
      set((state) => ({ rows: [...state.rows, row] }))
    }
    set({ running: null, finishedAt: new Date().toISOString() })
  },
}))
