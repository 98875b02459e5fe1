/** The embedded store answers synchronously; a networked store answers with a promise. Callers await both. */
export type Awaitable<T> = T | Promise<T>

/** Applies `map` at once to a synchronous answer, after it resolves to an asynchronous one. */
export function mapAwaitable<T, U>(value: Awaitable<T>, map: (value: T) => U): Awaitable<U> {
  return value instanceof Promise ? value.then(map) : map(value)
}
