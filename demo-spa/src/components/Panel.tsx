import { useId, type ReactNode } from 'react'

/** A titled region of the page: a landmark screen-reader users can jump to by its heading. */
export function Panel({ title, children, tools, className = '' }: { title: string; children: ReactNode; tools?: ReactNode; className?: string }) {
  const headingId = useId()
  return (
    <section className={`panel ${className}`} aria-labelledby={headingId}>
      <div className="panel-head">
        <h2 id={headingId}>{title}</h2>
        {tools}
      </div>
      {children}
    </section>
  )
}
