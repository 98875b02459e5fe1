import { spawn, type ChildProcess } from 'node:child_process'

export interface VirtualDisplay {
  /** For `DISPLAY`, e.g. `:99`. */
  display: string
  stop(): Promise<void>
}

/**
 * A private X server for headed Chromium (DevTools windows do not exist in headless mode).
 * `-displayfd` lets Xvfb pick a free display number and report it, so parallel runs never clash.
 */
export async function startXvfb(): Promise<VirtualDisplay> {
  const child: ChildProcess = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1600x1000x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] })
  const number = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Xvfb did not report a display within 10 s (apt-get install xvfb)')), 10_000)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`Xvfb could not start (apt-get install xvfb): ${error.message}`))
    })
    child.stdio[3]?.once('data', (data: Buffer) => {
      clearTimeout(timer)
      resolve(String(data).trim())
    })
  })
  return {
    display: `:${number}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
