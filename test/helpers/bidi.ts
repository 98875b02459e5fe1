import WebSocket from 'ws'

/**
 * A WebDriver BiDi client (W3C WebDriver BiDi over a WebSocket): commands with ids, their results
 * or errors, and events by method. Firefox's remote protocol server speaks it natively, with no geckodriver
 * and no Playwright build of Firefox.
 */

export interface BidiSession {
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>
  on(method: string, listener: (params: unknown) => void): void
  close(): void
}

interface Reply {
  id?: number
  type?: string
  method?: string
  params?: unknown
  result?: unknown
  error?: string
  message?: string
}

export async function connectBidi(url: string): Promise<BidiSession> {
  const socket = new WebSocket(url)
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  let next = 0
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; method: string }>()
  const listeners = new Map<string, Array<(params: unknown) => void>>()
  socket.on('message', (data) => {
    const reply = JSON.parse(String(data)) as Reply
    if (reply.id !== undefined) {
      const waiting = pending.get(reply.id)
      pending.delete(reply.id)
      if (reply.type === 'error') waiting?.reject(new Error(`${waiting.method}: ${reply.error ?? 'error'}: ${reply.message ?? ''}`))
      else waiting?.resolve(reply.result)
    } else if (reply.method) {
      for (const listener of listeners.get(reply.method) ?? []) listener(reply.params)
    }
  })
  socket.on('close', () => {
    for (const waiting of pending.values()) waiting.reject(new Error(`${waiting.method}: the BiDi connection closed`))
    pending.clear()
  })
  return {
    send<T>(method: string, params: Record<string, unknown> = {}) {
      const id = ++next
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, method })
        socket.send(JSON.stringify({ id, method, params }))
      })
    },
    on(method, listener) {
      listeners.set(method, [...(listeners.get(method) ?? []), listener])
    },
    close: () => socket.close(),
  }
}
