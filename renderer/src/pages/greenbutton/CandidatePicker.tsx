// The searchable, paged list of usage points (tick several) or customers (choose one) from
// greenbutton.candidates. Customer names appear only as the session's role may see them.
import { useEffect, useState } from 'react';
import { formatInt } from '../../lib/format';
import { useApiQuery } from '../../state/useApiQuery';
import {
  upId,
  type CandidateCustomer,
  type CandidateUp,
  type Mode,
  type PickedCustomer,
  type PickedUp,
} from './model';

const PAGE = 25;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function CustomerName({ c }: { c: { name: string | null; nameRedacted: boolean } }) {
  if (c.name) return <span>{c.name}</span>;
  if (c.nameRedacted)
    return (
      <span className="muted" title="Withheld: your role may not see this name (PII) here">
        [redacted]
      </span>
    );
  return null;
}

export function CandidatePicker({
  mode,
  picked,
  onToggle,
  customer,
  onCustomer,
  reloadKey,
}: {
  mode: Mode;
  picked: readonly PickedUp[];
  onToggle: (u: PickedUp) => void;
  customer: PickedCustomer | null;
  onCustomer: (c: PickedCustomer) => void;
  reloadKey: string | null;
}) {
  const [search, setSearch] = useState('');
  const [org, setOrg] = useState('');
  const [commodity, setCommodity] = useState('');
  const q = useDebounced(search.trim(), 250);
  const of = mode === 'customer' ? 'customers' : 'usagePoints';
  // The page offset belongs to one query: a new search or filter starts at the first page.
  const scope = JSON.stringify([q, org, commodity, of]);
  const [page, setPage] = useState({ scope, offset: 0 });
  const offset = page.scope === scope ? page.offset : 0;
  const setOffset = (n: number) => setPage({ scope, offset: n });

  const list = useApiQuery(
    'greenbutton.candidates',
    {
      of,
      search: q,
      ...(org ? { org } : {}),
      ...(commodity ? { commodity } : {}),
      offset,
      limit: PAGE,
    },
    { reloadKey },
  );
  const data = list.data;
  const pickedIds = new Set(picked.map(upId));

  return (
    <div className="gb-picker" data-testid="gb-picker">
      <div className="form-row">
        <label className="grow">
          <span className="label">Search {mode === 'customer' ? 'customers' : 'usage points'}</span>
          <input
            type="text"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder={
              mode === 'customer'
                ? 'customer key, usage point key, account number (exact)…'
                : 'usage point key, customer key, town, account number (exact)…'
            }
            spellCheck={false}
            data-testid="gb-search"
          />
        </label>
        <label>
          <span className="label">Organization</span>
          <select value={org} onChange={(e) => setOrg(e.target.value)} data-testid="gb-filter-org">
            <option value="">All</option>
            {(data?.orgs ?? []).map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="label">Commodity</span>
          <select
            value={commodity}
            onChange={(e) => setCommodity(e.target.value)}
            data-testid="gb-filter-commodity"
          >
            <option value="">All</option>
            {(data?.commodities ?? []).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </div>

      <div className={list.loading && data ? 'gb-list updating' : 'gb-list'}>
        {!data ? (
          <div className="empty">Loading…</div>
        ) : data.total === 0 ? (
          <div className="empty">Nothing matches.</div>
        ) : mode === 'customer' ? (
          <CustomerTable rows={data.customers} chosen={customer} onChoose={onCustomer} />
        ) : (
          <UpTable rows={data.usagePoints} pickedIds={pickedIds} onToggle={onToggle} />
        )}
      </div>
      {data && data.total > 0 ? (
        <div className="gb-pager">
          <span className="muted" data-testid="gb-total">
            {formatInt(offset + 1)}–{formatInt(Math.min(offset + PAGE, data.total))} of{' '}
            {formatInt(data.total)}
          </span>
          <button
            type="button"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            ‹ Previous
          </button>
          <button
            type="button"
            disabled={offset + PAGE >= data.total}
            onClick={() => setOffset(offset + PAGE)}
          >
            Next ›
          </button>
          {data.piiAccess !== 'allow' ? (
            <span className="muted small">
              Names: {data.piiAccess === 'deny' ? 'withheld for' : 'only with consent for'} role{' '}
              <span className="mono">{data.role}</span>
            </span>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function UpTable({
  rows,
  pickedIds,
  onToggle,
}: {
  rows: CandidateUp[];
  pickedIds: Set<string>;
  onToggle: (u: PickedUp) => void;
}) {
  return (
    <table className="gb-table" data-testid="gb-up-table">
      <thead>
        <tr>
          <th />
          <th>Org</th>
          <th>Usage point</th>
          <th>Commodity</th>
          <th>Town</th>
          <th>Customer</th>
          <th>Data</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((u) => {
          const id = upId(u);
          const on = pickedIds.has(id);
          const current = u.customers[0];
          return (
            <tr
              key={id}
              className={on ? 'selected' : undefined}
              data-testid="gb-up-row"
              data-key={u.key}
              data-org={u.org}
            >
              <td>
                <input
                  type="checkbox"
                  checked={on}
                  aria-label={`Select usage point ${id}`}
                  onChange={() =>
                    onToggle({
                      key: u.key,
                      org: u.org,
                      commodity: u.commodity,
                      firstDay: u.firstDay,
                      lastDay: u.lastDay,
                    })
                  }
                />
              </td>
              <td>{u.org}</td>
              <td className="mono">{u.key}</td>
              <td>{u.commodity}</td>
              <td>{u.town ?? ''}</td>
              <td>
                {current ? (
                  <>
                    <span className="mono">{current.key}</span> <CustomerName c={current} />
                    {current.to ? <span className="muted"> (until {current.to})</span> : null}
                    {u.customers.length > 1 ? (
                      <span
                        className="muted"
                        title={u.customers
                          .slice(1)
                          .map((c) => `${c.key} ${c.from ?? ''}–${c.to ?? ''}`)
                          .join('\n')}
                      >
                        {' '}
                        +{u.customers.length - 1} earlier
                      </span>
                    ) : null}
                  </>
                ) : (
                  <span className="muted">none on record</span>
                )}
              </td>
              <td className="mono small">
                {u.firstDay ? (
                  `${u.firstDay} … ${u.lastDay ?? ''}`
                ) : (
                  <span className="muted">none</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function CustomerTable({
  rows,
  chosen,
  onChoose,
}: {
  rows: CandidateCustomer[];
  chosen: PickedCustomer | null;
  onChoose: (c: PickedCustomer) => void;
}) {
  return (
    <table className="gb-table" data-testid="gb-customer-table">
      <thead>
        <tr>
          <th />
          <th>Org</th>
          <th>Customer</th>
          <th>Name</th>
          <th>Class</th>
          <th>Usage points</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => {
          const on = chosen?.org === c.org && chosen.key === c.key;
          return (
            <tr
              key={`${c.org}:${c.key}`}
              className={on ? 'selected' : undefined}
              data-testid="gb-customer-row"
              data-key={c.key}
            >
              <td>
                <input
                  type="radio"
                  name="gb-customer"
                  checked={on}
                  aria-label={`Choose customer ${c.org}:${c.key}`}
                  onChange={() => onChoose({ key: c.key, org: c.org, usagePoints: c.usagePoints })}
                />
              </td>
              <td>{c.org}</td>
              <td className="mono">{c.key}</td>
              <td>
                <CustomerName c={c} />
              </td>
              <td>{c.customerClass}</td>
              <td className="mono small">
                {c.usagePoints.length > 3
                  ? `${c.usagePoints.slice(0, 3).join(', ')} +${c.usagePoints.length - 3}`
                  : c.usagePoints.join(', ') || <span className="muted">none</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
