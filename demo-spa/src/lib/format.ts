/** `1:05` for 65 seconds; negative durations read as "expired". */
export function countdown(ms: number): string {
  if (ms <= 0) return 'expired'
  const seconds = Math.ceil(ms / 1000)
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}

export const clockTime = (ms: number): string => new Date(ms).toLocaleTimeString([], { hour12: false })

export const signedSeconds = (seconds: number): string => (seconds > 0 ? `+${seconds}` : String(seconds))
