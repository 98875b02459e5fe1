import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useMemo, useRef } from 'react'
import type { TimelineEntry } from '../../core/index.ts'
import { Badge } from '../components/Badge.tsx'
import { Empty } from '../components/Empty.tsx'
import { usePanel } from '../context.tsx'
import { CARRIED_OVER, clockTime, describeEvent, dpopBadges, sourcesText } from '../format.ts'

const ROW_HEIGHT = 26

/**
 * The auth-event timeline: capped by the core's buffer, virtualized here so a long session stays
 * smooth, and following the newest entry unless the user has scrolled up to read.
 */
export function TimelineView() {
  const buffered = usePanel((s) => s.snapshot.timeline)
  // Sources report late (network entries after the SDK's events): show them in the order they happened.
  const timeline = useMemo(() => [...buffered].sort((a, b) => a.at - b.at || a.seq - b.seq), [buffered])
  const dropped = usePanel((s) => s.snapshot.dropped)
  const tokens = usePanel((s) => s.snapshot.tokens)
  const byId = useMemo(() => new Map(tokens.map((t) => [t.id, t])), [tokens])
  const scroller = useRef<HTMLDivElement>(null)
  const following = useRef(true)
  const virtualizer = useVirtualizer({
    count: timeline.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Before layout (and in tests without layout) render a first screenful.
    initialRect: { width: 800, height: 480 },
  })

  useEffect(() => {
    if (following.current && timeline.length > 0) virtualizer.scrollToIndex(timeline.length - 1, { align: 'end' })
  }, [timeline.length, virtualizer])

  if (timeline.length === 0) return <Empty>No auth events yet.</Empty>
  return (
    <div className="timeline">
      {dropped > 0 && <p className="muted">{dropped} older events dropped (the timeline keeps the newest {timeline.length}).</p>}
      <div
        ref={scroller}
        className="timeline-scroller"
        role="log"
        aria-label="auth timeline"
        onScroll={(event) => {
          const el = event.currentTarget
          following.current = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const entry = timeline[item.index] as TimelineEntry
            const text = describeEvent(entry, byId)
            return (
              <div
                key={entry.seq}
                className={`timeline-row kind-${entry.kind}`}
                data-testid="timeline-row"
                data-kind={entry.kind}
                data-at={entry.at}
                data-carried-over={entry.carriedOver ? 'true' : undefined}
                title={`${text.title}: ${text.detail}${entry.carriedOver ? ` (${CARRIED_OVER.explanation})` : ''}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              >
                <span className="time mono">{clockTime(entry.at)}</span>
                <span className="source muted">{sourcesText(entry)}</span>
                <span className="kind">{text.title}</span>
                {entry.carriedOver && (
                  <Badge tone="info" title={CARRIED_OVER.explanation}>
                    {CARRIED_OVER.label}
                  </Badge>
                )}
                {entry.kind === 'dpop-request' &&
                  dpopBadges(entry).map((badge) => (
                    <Badge key={badge.label} tone={badge.tone} title={badge.title}>
                      {badge.label}
                    </Badge>
                  ))}
                <span className="detail">{text.detail}</span>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
