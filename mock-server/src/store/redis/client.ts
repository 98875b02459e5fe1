import { Redis, ReplyError } from 'ioredis'
import { BackendError } from '../../domain/errors.ts'

/**
 * Counts every command it sends, which is how the scale lab counts round trips: the store never
 * pipelines, so one command is one round trip. A NOSCRIPT retry after a Redis restart (EVALSHA,
 * then EVAL) counts as the two round trips it is.
 */
export class CountingRedis extends Redis {
  commandsSent = 0

  override sendCommand(...args: Parameters<Redis['sendCommand']>): ReturnType<Redis['sendCommand']> {
    this.commandsSent++
    return super.sendCommand(...args)
  }
}

/**
 * Connected, or rejected: a backend that starts without its store would serve 503s forever.
 * While Redis is down, commands fail at once instead of queueing (`enableOfflineQueue: false`)
 * and commands in flight when the connection drops fail instead of being re-sent later
 * (`autoResendUnfulfilledCommands: false`): a request must get its 503 now, not hang until Redis
 * is back. Reconnection keeps trying in the background, so service resumes by itself.
 */
export async function connectRedis(url: string): Promise<CountingRedis> {
  const client = new CountingRedis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  })
  // Without a listener, each failed reconnection attempt would be an unhandled 'error' event.
  client.on('error', () => undefined)
  try {
    await client.connect()
  } catch (error) {
    client.disconnect()
    throw new Error(`cannot reach Redis at ${url}: ${(error as Error).message}`)
  }
  return client
}

/**
 * Runs a store command. Not reaching Redis, or Redis still loading its data after a restart, is a
 * 503 `store_unavailable` the client may retry; any other reply error is a bug and stays a 500.
 */
export async function guard<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command()
  } catch (error) {
    if (error instanceof ReplyError && !/^(LOADING|BUSY|MASTERDOWN|TRYAGAIN)\b/.test((error as Error).message)) throw error
    throw new BackendError('store_unavailable', 'the session store is unavailable; try again shortly', { headers: { 'Retry-After': '1' } })
  }
}
