import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { envelope } from '../protocol/messages.ts'
import type { PortLike } from '../transport/reconnecting-port.ts'
import { createPageLink } from './page-link.ts'

/** The worker's end of the content script's port. */
function workerEnd() {
  const listeners: Array<(m: unknown) => void> = []
  const posted: unknown[] = []
  let disconnected = false
  const port: PortLike = {
    postMessage: (m) => posted.push(m),
    disconnect: () => {
      disconnected = true
    },
    onMessage: { addListener: (l) => listeners.push(l) },
    onDisconnect: { addListener: () => undefined },
  }
  return { port, posted, say: (type: string) => listeners.forEach((l) => l({ ...envelope('worker', `w-${type}`), type })), disconnected: () => disconnected }
}

describe('createPageLink', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('reads storage only while awake: polling and the storage event start on wake and stop on the worker’s sleep', () => {
    const worker = workerEnd()
    const reads = vi.fn(() => ['change'])
    let storageListener: (() => void) | null = null
    const link = createPageLink({
      connect: () => worker.port,
      canRetry: () => true,
      announce: (send) => send('hello'),
      changes: reads,
      onStorageEvent(listener) {
        storageListener = listener
        return () => {
          storageListener = null
        }
      },
      pollMs: 500,
    })
    vi.advanceTimersByTime(5000)
    expect(reads).not.toHaveBeenCalled()
    expect(link.awake).toBe(false)

    link.wake()
    expect(worker.posted).toEqual(['hello'])
    vi.advanceTimersByTime(1000)
    expect(reads).toHaveBeenCalledTimes(2)
    // Another document's write arrives as an event, without waiting for the next poll.
    ;(storageListener as (() => void) | null)?.()
    expect(reads).toHaveBeenCalledTimes(3)
    link.send('sdk message')
    expect(worker.posted).toEqual(['hello', 'change', 'change', 'change', 'sdk message'])

    worker.say('sleep')
    expect(link.awake).toBe(false)
    expect(worker.disconnected()).toBe(true)
    expect(storageListener).toBeNull()
    vi.advanceTimersByTime(10_000)
    expect(reads).toHaveBeenCalledTimes(3)
    link.send('dropped while asleep')
    expect(worker.posted.at(-1)).toBe('sdk message')
  })

  it('a rescan while awake announces again on the same port', () => {
    const worker = workerEnd()
    const link = createPageLink({ connect: () => worker.port, canRetry: () => true, announce: (send) => send('hello'), changes: () => [], onStorageEvent: () => () => undefined, pollMs: 500 })
    link.wake()
    worker.say('rescan')
    expect(worker.posted).toEqual(['hello', 'hello'])
    expect(link.awake).toBe(true)
  })
})
