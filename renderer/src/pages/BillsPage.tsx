// Bills: validate a test bill (from the workspace, or entered by hand) against its tariff and
// meter data, line by line, and export the report; compare a rate design over a population.
import { useState } from 'react';
import { PageHeader } from '../components/ui';
import { CompareTab } from './bills/CompareTab';
import { ValidateTab } from './bills/ValidateTab';
import './bills/bills.css';

type Tab = 'validate' | 'compare';

export default function BillsPage() {
  const [tab, setTab] = useState<Tab>('validate');
  return (
    <div className="page">
      <PageHeader
        title="Bills"
        subtitle="Recompute bills from tariffs and meter data, explain every difference, compare rate designs."
      />
      <div className="bills-tabs" role="tablist" aria-label="Bills">
        {(
          [
            ['validate', 'Validate a bill'],
            ['compare', 'Rate-design comparison'],
          ] as const
        ).map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={tab === id}
            className={tab === id ? 'active' : ''}
            onClick={() => setTab(id)}
            data-testid={`bills-tab-${id}`}
          >
            {label}
          </button>
        ))}
      </div>
      {/* Both tabs stay mounted: switching keeps a form, a result or a running job. */}
      <div hidden={tab !== 'validate'}>
        <ValidateTab />
      </div>
      <div hidden={tab !== 'compare'}>
        <CompareTab />
      </div>
    </div>
  );
}
