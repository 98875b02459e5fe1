/**
 * Decoded JSON shown as text, never as markup: claims come from the page and may hold
 * `<img onerror>` or worse (E4). React escapes text content; nothing here uses innerHTML.
 */
export function JsonText({ value, label }: { value: unknown; label: string }) {
  return (
    <pre className="json" aria-label={label}>
      {JSON.stringify(value, null, 2)}
    </pre>
  )
}
