import type { ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'

const running = new Set<ChildProcess>()
const directories = new Set<string>()

/**
 * Children are killed, and then their data directories removed, when this process exits however
 * it exits short of a signal it does not handle, so a crashed test or an interrupted cluster
 * leaves no process and no data behind.
 */
export function track(child: ChildProcess): ChildProcess {
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

/** Removes `dir` when this process exits; the returned function cancels that once it is removed already. */
export function removeAtExit(dir: string): () => void {
  directories.add(dir)
  return () => directories.delete(dir)
}

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
  for (const dir of directories) rmSync(dir, { recursive: true, force: true })
})

/** Stops a child: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}
