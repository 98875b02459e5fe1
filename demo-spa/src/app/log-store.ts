import { create } from 'zustand'

export type LogSource = 'sdk' | 'http' | 'demo'
export type Tone = 'info' | 'ok' | 'warn' | 'bad'

export interface LogEntry {
  id: number
  /** Local milliseconds. */
  at: number
  source: LogSource
  title: string
  detail?: string
  tone: Tone
  /** HTTP entries: the status, so break-it results can summarize what the server answered. */
  status?: number
}

export type NewLogEntry = Omit<LogEntry, 'id' | 'at'>

/** Long sessions would grow the list without end; a person reads the latest few dozen. */
const MAX_ENTRIES = 300

interface LogState {
  entries: LogEntry[]
  add: (entry: NewLogEntry) => LogEntry
  clear: () => void
}

let nextId = 1

/**
 * One timeline for SDK events, HTTP requests and the demo's own actions. It is a store of its own,
 * created before any auth client, so events fired while a client is being created are kept.
 */
export const useLog = create<LogState>()((set) => ({
  entries: [],
  add(entry) {
    const full = { ...entry, id: nextId++, at: Date.now() }
    set((state) => ({ entries: [...state.entries.slice(-(MAX_ENTRIES - 1)), full] }))
    return full
  },
  clear: () => set({ entries: [] }),
}))

export const addLog = (entry: NewLogEntry): LogEntry => useLog.getState().add(entry)

/** The id the next entry will get: actions remember it to find what happened while they ran. */
export const logMark = (): number => nextId

export const entriesSince = (mark: number, source?: LogSource): LogEntry[] =>
  useLog.getState().entries.filter((entry) => entry.id >= mark && (source === undefined || entry.source === source))
