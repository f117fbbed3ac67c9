import { cloneElement, type ReactElement, useId } from 'react';

interface FieldProps {
  label: string;
  /** One input, select or textarea: it gets the id the label points at. */
  children: ReactElement<{ id?: string; 'aria-describedby'?: string }>;
  hint?: string;
  error?: string;
  className?: string;
}

/**
 * A label tied to its control by id (not by nesting, which would add the control's value and a datalist's options to
 * the accessible name), with a hint or error read out as the control's description.
 */
export function Field({ label, children, hint, error, className }: FieldProps) {
  const id = useId();
  const noteId = `${id}-note`;
  const note = error ?? hint;
  return (
    <div className={`field ${error ? 'field-error' : ''} ${className ?? ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {cloneElement(children, { id, ...(note ? { 'aria-describedby': noteId } : {}) })}
      {note && (
        <span id={noteId} className={error ? 'field-message' : 'field-hint'} role={error ? 'alert' : undefined}>
          {note}
        </span>
      )}
    </div>
  );
}

/** A caption for a group of buttons (radio group), which a <label> cannot name. */
export function FieldGroup({ label, hint, children }: { label: string; hint?: string; children: ReactElement }) {
  return (
    <div className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint && <span className="field-hint">{hint}</span>}
    </div>
  );
}
