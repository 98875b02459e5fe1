import type { BreakAction } from '../types.ts'
import { expireNow } from './expire-now.ts'
import { failRefresh } from './fail-refresh.ts'
import { latency } from './latency.ts'
import { replay } from './replay.ts'
import { replayToken } from './replay-token.ts'
import { revoke } from './revoke.ts'
import { skewClock } from './skew-clock.ts'
import { xssRead } from './xss-read.ts'

export const BREAK_ACTIONS: BreakAction[] = [expireNow, failRefresh, skewClock, revoke, replay, replayToken, xssRead, latency]
