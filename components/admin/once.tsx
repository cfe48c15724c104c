"use client";

/** A secret or link shown once, with a button that copies it. */
export function ShownOnce({ label, value, note }: { label: string; value: string; note: string }) {
  return (
    <div className="once" role="status">
      <strong>{label}</strong> <span className="muted">{note}</span>
      <p>
        <code>{value}</code>
      </p>
      <button type="button" onClick={() => void navigator.clipboard?.writeText(value)}>
        Copy
      </button>
    </div>
  );
}
