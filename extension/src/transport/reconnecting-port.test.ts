import { describe, expect, it, vi } from 'vitest'
import { createReconnectingPort, type PortLike, type Timers } from './reconnecting-port.ts'

/** A port whose other end the test controls: it can deliver messages or drop the connection. */
function fakePort() {
  const messages: ((m: unknown) => void)[] = []
  const disconnects: (() => void)[] = []
  const posted: unknown[] = []
  let open = true
  const port: PortLike & { posted: unknown[]; drop(): void; deliver(m: unknown): void } = {
    posted,
    postMessage(m) {
      if (!open) throw new Error('Attempting to use a disconnected port object')
      posted.push(m)
    },
    disconnect() {
      open = false
    },
    onMessage: { addListener: (l) => messages.push(l) },
    onDisconnect: { addListener: (l) => disconnects.push(l) },
    drop() {
      open = false
      for (const l of disconnects) l()
    },
    deliver: (m) => messages.forEach((l) => l(m)),
  }
  return port
}

/** Timers the test advances by hand, so back-off delays are read exactly. */
function manualTimers() {
  let now = 0
  const pending = new Map<number, { at: number; run: () => void }>()
  let next = 0
  const timers: Timers & { advance(ms: number): void; delays: number[] } = {
    delays: [],
    setTimeout(run, ms) {
      const id = ++next
      pending.set(id, { at: now + ms, run })
      timers.delays.push(ms)
      return id
    },
    clearTimeout: (id) => void pending.delete(id as number),
    advance(ms) {
      const until = now + ms
      for (;;) {
        const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0]
        if (!due) break
        pending.delete(due[0])
        now = due[1].at
        due[1].run()
      }
      now = until
    },
  }
  return timers
}

describe('createReconnectingPort', () => {
  it('E12 reconnects with a doubling back-off, capped, after the worker goes away', () => {
    const timers = manualTimers()
    const ports: ReturnType<typeof fakePort>[] = []
    let refuse = false
    const link = createReconnectingPort({
      connect: () => {
        if (refuse) throw new Error('worker not reachable')
        const port = fakePort()
        ports.push(port)
        return port
      },
      onMessage: () => undefined,
      timers,
      initialDelayMs: 100,
      maxDelayMs: 800,
    })
    expect(link.state).toBe('connected')
    refuse = true
    ports[0]?.drop()
    expect(link.state).toBe('reconnecting')
    timers.advance(100 + 200 + 400 + 800 + 800)
    const backoff = timers.delays.filter((d) => d !== 1000)
    expect(backoff).toEqual([100, 200, 400, 800, 800, 800])
    refuse = false
    timers.advance(800)
    expect(link.state).toBe('connected')
    expect(ports).toHaveLength(2)
  })

  it('E12 re-announces through onConnect before flushing the bounded queue', () => {
    const timers = manualTimers()
    const ports: ReturnType<typeof fakePort>[] = []
    const announcements: boolean[] = []
    const link = createReconnectingPort({
      connect: () => {
        const port = fakePort()
        ports.push(port)
        return port
      },
      onMessage: () => undefined,
      onConnect: (reconnected, send) => {
        announcements.push(reconnected)
        send({ type: 'hello' })
      },
      timers,
      maxQueue: 3,
    })
    ports[0]?.drop()
    for (let i = 1; i <= 5; i++) link.send({ n: i })
    expect(link.dropped).toBe(2)
    timers.advance(100)
    expect(announcements).toEqual([false, true])
    expect(ports[1]?.posted).toEqual([{ type: 'hello' }, { n: 3 }, { n: 4 }, { n: 5 }])
  })

  it('keeps a message whose post throws on a port that died silently, and reconnects', () => {
    const timers = manualTimers()
    const ports: ReturnType<typeof fakePort>[] = []
    const link = createReconnectingPort({ connect: () => (ports.push(fakePort()), ports.at(-1) as PortLike), onMessage: () => undefined, timers })
    ports[0]?.disconnect()
    link.send('kept')
    expect(link.state).toBe('reconnecting')
    timers.advance(100)
    expect(ports[1]?.posted).toEqual(['kept'])
  })

  it('starts the back-off over once a connection has been stable', () => {
    const timers = manualTimers()
    const ports: ReturnType<typeof fakePort>[] = []
    createReconnectingPort({ connect: () => (ports.push(fakePort()), ports.at(-1) as PortLike), onMessage: () => undefined, timers, initialDelayMs: 100 })
    ports[0]?.drop()
    timers.advance(100)
    ports[1]?.drop()
    timers.advance(200)
    timers.advance(1000)
    ports[2]?.drop()
    timers.advance(100)
    expect(ports).toHaveLength(4)
  })

  it('gives up for good when the extension context is gone, and close() stops everything', () => {
    const timers = manualTimers()
    const onStateChange = vi.fn()
    let alive = true
    const ports: ReturnType<typeof fakePort>[] = []
    const link = createReconnectingPort({ connect: () => (ports.push(fakePort()), ports.at(-1) as PortLike), onMessage: () => undefined, onStateChange, canRetry: () => alive, timers })
    alive = false
    ports[0]?.drop()
    expect(link.state).toBe('closed')
    timers.advance(10_000)
    expect(ports).toHaveLength(1)
    const other = createReconnectingPort({ connect: () => fakePort(), onMessage: () => undefined, timers })
    other.close()
    other.send('ignored')
    expect(other.state).toBe('closed')
    expect(onStateChange).toHaveBeenCalledWith('closed')
  })

  it('delivers messages only from the current port', () => {
    const timers = manualTimers()
    const received: unknown[] = []
    const ports: ReturnType<typeof fakePort>[] = []
    createReconnectingPort({ connect: () => (ports.push(fakePort()), ports.at(-1) as PortLike), onMessage: (m) => received.push(m), timers })
    ports[0]?.deliver('first')
    ports[0]?.drop()
    ports[0]?.deliver('late, from the dead port')
    timers.advance(100)
    ports[1]?.deliver('second')
    expect(received).toEqual(['first', 'second'])
  })
})
