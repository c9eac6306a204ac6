import { useErrors } from '../state/errors';

/** The errors reported by any page: code and message, each dismissible. */
export function ErrorBanner() {
  const { errors, dismiss, clear } = useErrors();
  if (errors.length === 0) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      {errors.map((e) => (
        <div className="error-item" key={e.id} data-testid="error-item">
          <span className="error-code">{e.code}</span>
          <span className="error-message">{e.message}</span>
          <button
            type="button"
            className="icon"
            aria-label="Dismiss"
            title="Dismiss"
            onClick={() => dismiss(e.id)}
          >
            ×
          </button>
        </div>
      ))}
      {errors.length > 1 ? (
        <button type="button" className="link error-clear" onClick={clear}>
          Dismiss all
        </button>
      ) : null}
    </div>
  );
}
