// Consent status of the current selection (greenbutton.consent), refreshed as the selection,
// range or grantee changes: per usage point whether the role may export it, and per customer
// served there the covering consent or what is missing.
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { isCancelled } from '../../state/errors';
import type { ConsentResult, Selection } from './model';

const ACCESS_TEXT: Record<ConsentResult['access'], string> = {
  allow: 'may export customer usage data (POLICY: allow); consents are shown for information',
  consent: 'needs a covering consent of every customer served in the period (POLICY: consent)',
  deny: 'may not export customer usage data (POLICY: deny)',
};

/** The last answer: for which selection (its JSON), and the result or the error message. */
type Settled =
  | { key: string; data: ConsentResult; error?: undefined }
  | { key: string; data?: undefined; error: string };

export function ConsentPanel({ selection }: { selection: Selection | null }) {
  const [settled, setSettled] = useState<Settled | null>(null);
  const key = selection ? JSON.stringify(selection) : '';

  useEffect(() => {
    if (!key) return;
    const ctrl = new AbortController();
    // A short pause so typing a date does not fire one call per keystroke.
    const t = setTimeout(() => {
      api['greenbutton.consent'](JSON.parse(key) as Selection, { signal: ctrl.signal }).then(
        (data) => {
          if (!ctrl.signal.aborted) setSettled({ key, data });
        },
        (e: unknown) => {
          if (ctrl.signal.aborted || isCancelled(e)) return;
          setSettled({ key, error: e instanceof Error ? e.message : String(e) });
        },
      );
    }, 200);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [key]);

  if (!key)
    return (
      <div className="empty" data-testid="gb-consent">
        Choose usage points or a customer to see whether they may be exported.
      </div>
    );
  const loading = settled?.key !== key;
  if (!loading && settled?.error !== undefined)
    return (
      <div className="notice gb-refused" data-testid="gb-consent" data-status="error">
        {settled.error}
      </div>
    );
  // While a new answer is on its way, the previous one stays (dimmed).
  const data = settled?.data;
  if (!data)
    return (
      <div className="empty" data-testid="gb-consent">
        Checking consent…
      </div>
    );
  const blocked = data.usagePoints.filter((u) => !u.exportable).length;
  return (
    <div
      className={loading ? 'gb-consent updating' : 'gb-consent'}
      data-testid="gb-consent"
      data-status={loading ? 'loading' : blocked ? 'refused' : 'covered'}
    >
      <div className="gb-consent-head">
        Role <span className="mono">{data.role}</span> {ACCESS_TEXT[data.access]}.{' '}
        <span className="muted small">As of {data.at.slice(0, 19).replace('T', ' ')} UTC.</span>
      </div>
      <div className="gb-consent-summary" data-testid="gb-consent-summary">
        {blocked === 0 ? (
          <span className="badge tone-ok">
            {data.usagePoints.length === 1
              ? 'Exportable'
              : `All ${data.usagePoints.length} usage points exportable`}
          </span>
        ) : (
          <span className="badge tone-bad">
            {blocked} of {data.usagePoints.length} usage point
            {data.usagePoints.length === 1 ? '' : 's'} refused
          </span>
        )}
      </div>
      <table className="gb-table gb-consent-table">
        <thead>
          <tr>
            <th>Usage point</th>
            <th>Commodity</th>
            <th>Export</th>
            <th>Customers served in the period</th>
          </tr>
        </thead>
        <tbody>
          {data.usagePoints.map((u) => (
            <tr
              key={`${u.org}:${u.usagePoint}`}
              data-testid="gb-consent-row"
              data-key={u.usagePoint}
              data-exportable={u.exportable}
            >
              <td className="mono">
                {u.org}:{u.usagePoint}
              </td>
              <td>{u.commodity}</td>
              <td>
                {u.exportable ? (
                  <span className="badge tone-ok">allowed</span>
                ) : (
                  <>
                    <span className="badge tone-bad">refused</span>
                    {/* Customers' gaps are listed beside them; other reasons (no customer on
                        record, role denied) are said here. */}
                    {u.customers.length === 0 || data.access !== 'consent' ? (
                      <div className="gb-reason" data-testid="gb-consent-reason">
                        {u.reason}
                      </div>
                    ) : null}
                  </>
                )}
              </td>
              <td>
                {u.customers.length === 0 ? (
                  <span className="muted">none on record</span>
                ) : (
                  <ul className="gb-customers">
                    {u.customers.map((c) => (
                      <li
                        key={`${c.org}:${c.customer}`}
                        data-testid="gb-consent-customer"
                        data-covered={c.covered}
                      >
                        <span className="mono">{c.customer}</span>{' '}
                        {c.covered ? (
                          <span className="badge tone-ok">covered by consent #{c.consentId}</span>
                        ) : (
                          <>
                            <span
                              className={data.access === 'consent' ? 'badge tone-bad' : 'badge'}
                            >
                              not covered
                            </span>{' '}
                            <span className="muted">{c.reason}</span>
                          </>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
