import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';

export interface ConfirmOptions {
  title: string;
  message: string;
  /** The button that goes ahead, e.g. "Stop pipeline". */
  confirmLabel: string;
}

interface Pending extends ConfirmOptions {
  resolve(confirmed: boolean): void;
}

/**
 * An in-page confirmation (role alertdialog) for actions that interrupt something running. Unlike window.confirm it
 * names the consequence in the app's own words, keeps focus on Cancel so Enter does not stop a demo by accident, and
 * is reachable by tests and screen readers like any other element. Returns the dialog to render and `confirm()`.
 */
export function useConfirm(): [ReactNode, (options: ConfirmOptions) => Promise<boolean>] {
  const [pending, setPending] = useState<Pending | undefined>();
  const confirm = useCallback((options: ConfirmOptions) => new Promise<boolean>((resolve) => setPending({ ...options, resolve })), []);
  const close = (confirmed: boolean): void => {
    pending?.resolve(confirmed);
    setPending(undefined);
  };
  return [pending ? <ConfirmDialog key={pending.title} options={pending} onClose={close} /> : null, confirm];
}

function ConfirmDialog({ options, onClose }: { options: ConfirmOptions; onClose(confirmed: boolean): void }) {
  const titleId = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    cancel.current?.focus();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') onClose(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="confirm-backdrop">
      <div className="confirm-dialog panel" role="alertdialog" aria-modal="true" aria-labelledby={titleId} aria-describedby={`${titleId}-text`}>
        <h2 id={titleId}>{options.title}</h2>
        <p id={`${titleId}-text`}>{options.message}</p>
        <div className="actions">
          <button type="button" ref={cancel} onClick={() => onClose(false)}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={() => onClose(true)}>
            {options.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
